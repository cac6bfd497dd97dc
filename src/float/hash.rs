//! float's numeric hash, restated for a double held in a LegacyFloat.

use crate::capi::numeric_hash::{BITS, INF, MODULUS};
use pyo3::ffi;

/// The fraction and exponent of a finite, non-zero double: `v = m * 2**e`
/// with `0.5 <= |m| < 1`, as C's `frexp`.
fn frexp(v: f64) -> (f64, i32) {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * f64::from_bits(0x4350_0000_0000_0000)); // 2**54
        return (m, e - 54);
    }
    (
        f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)),
        exponent - 1022,
    )
}

/// `hash(v)` of the float `v`, as CPython's numeric hash defines it: the
/// value of the fraction `v` modulo 2**61 - 1, so that `hash(2.0) == hash(2)`.
/// None for a nan, whose hash depends on the object.
pub fn hash_of_double(v: f64) -> Option<ffi::Py_hash_t> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { INF } else { -INF });
    }
    if v == 0.0 {
        return Some(0);
    }
    let (mut m, mut e) = frexp(v);
    let sign: i64 = if m < 0.0 { -1 } else { 1 };
    m = m.abs();
    let mut x: u64 = 0;
    // 28 bits of the fraction at a time, as CPython does.
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0; // 2**28
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let bits = BITS as i32;
    let e = if e >= 0 {
        e % bits
    } else {
        bits - 1 - ((-1 - e) % bits)
    } as u32;
    x = ((x << e) & MODULUS) | (x >> (BITS - e));
    let h = (x as i64).wrapping_mul(sign) as ffi::Py_hash_t;
    Some(if h == -1 { -2 } else { h })
}

#[cfg(test)]
mod tests {
    use super::{frexp, hash_of_double};

    #[test]
    fn frexp_matches_its_definition() {
        for v in [
            1.0,
            0.5,
            3.0,
            -7.25,
            1e300,
            5e-324,
            -2.2250738585072014e-308,
            123456.789,
        ] {
            let (m, e) = frexp(v);
            assert!((0.5..1.0).contains(&m.abs()), "{v}: {m}");
            // Two steps, so that 2**e itself does not underflow for subnormals.
            assert_eq!(m * 2f64.powi(e / 2) * 2f64.powi(e - e / 2), v);
        }
    }

    #[test]
    fn hash_agrees_with_integers_and_specials() {
        // hash(2.0) == hash(2), hash(0.5) == 2**60 (the inverse of 2 mod 2**61 - 1).
        assert_eq!(hash_of_double(2.0), Some(2));
        assert_eq!(hash_of_double(-1.0), Some(-2));
        assert_eq!(hash_of_double(0.5), Some(1 << 60));
        assert_eq!(hash_of_double(f64::INFINITY), Some(314_159));
        assert_eq!(hash_of_double(-0.0), Some(0));
        assert_eq!(hash_of_double(f64::NAN), None);
    }
}
