//! The arena alone, under libFuzzer: every input is a sequence of
//! operations (pop, pop_free, push, clear_free_list, a block cap, a failing
//! allocator), run against a model of which slots are live and what each
//! holds. After every operation the counters must match the model and the
//! invariants of `ArenaStats`; every live slot must keep its value; no slot
//! may be handed out twice; `occupancy` must count the live slots; and
//! after `clear_free_list` no held block may be empty.
#![no_main]

use legacyint::arena::{Arena, BlockAllocator, PoolSlot, SystemBlocks};
use libfuzzer_sys::fuzz_target;
use std::cell::Cell;
use std::collections::HashSet;
use std::ptr::NonNull;

/// Shaped like a Python int: refcount, type pointer, value.
#[repr(C)]
struct Obj {
    refcnt: usize,
    kind: usize,
    value: u64,
}

// SAFETY: `kind` is always written as KIND, never FREE_MARK's address.
unsafe impl PoolSlot for Obj {}

const KIND: usize = 0xABCD;

/// The system allocator, failing on demand: out-of-memory paths too.
struct Flaky<'a> {
    fail: &'a Cell<bool>,
}

// SAFETY: SystemBlocks' contract, or null.
unsafe impl BlockAllocator for Flaky<'_> {
    fn allocate(&self, size: usize) -> *mut u8 {
        if self.fail.get() {
            std::ptr::null_mut()
        } else {
            SystemBlocks.allocate(size)
        }
    }

    unsafe fn release(&self, block: *mut u8, size: usize) {
        // SAFETY: the caller's contract, passed on.
        unsafe { SystemBlocks.release(block, size) }
    }
}

fuzz_target!(|data: &[u8]| {
    let fail = Cell::new(false);
    let mut arena: Arena<Obj, Flaky> = Arena::new(Flaky { fail: &fail });
    let mut live: Vec<(NonNull<Obj>, u64)> = Vec::new();
    let mut next_value = 0u64;
    let mut bytes = data.iter().copied();
    while let Some(op) = bytes.next() {
        let arg = bytes.next().unwrap_or(0) as usize;
        let blocks_before = arena.stats().blocks;
        match op % 8 {
            0..=2 => {
                let popped = if op % 8 == 2 {
                    arena.pop_free()
                } else {
                    arena.pop()
                };
                if let Some(p) = popped {
                    assert_eq!(p.as_ptr() as usize % 8, 0, "misaligned slot");
                    assert!(live.iter().all(|(q, _)| *q != p), "a slot handed out twice");
                    // SAFETY: a popped slot is ours to write.
                    unsafe {
                        p.as_ptr().write(Obj {
                            refcnt: 1,
                            kind: KIND,
                            value: next_value,
                        })
                    };
                    live.push((p, next_value));
                    next_value += 1;
                } else {
                    let s = arena.stats();
                    assert_eq!(s.free, 0, "no slot given while some were free");
                }
            }
            3 | 4 if !live.is_empty() => {
                let (p, _) = live.swap_remove(arg % live.len());
                // SAFETY: popped from this arena, pushed once, never touched again.
                unsafe { arena.push(p) };
            }
            5 => {
                assert_eq!(arena.clear_free_list(), live.len());
                assert!(
                    arena.occupancy().iter().all(|&n| n > 0),
                    "an empty block kept"
                );
            }
            6 => arena.set_block_limit(if arg % 4 == 0 { None } else { Some(arg % 8) }),
            7 => fail.set(arg % 2 == 1),
            _ => {}
        }
        let s = arena.stats();
        assert_eq!(s.in_use, live.len());
        assert_eq!(s.in_use + s.free, s.capacity);
        assert_eq!(s.capacity, s.blocks * s.objects_per_block);
        assert_eq!(s.bytes_reserved, s.blocks * s.block_size);
        assert_eq!(s.blocks as u64, s.blocks_allocated - s.blocks_released);
        assert!(s.peak_blocks >= s.blocks);
        if s.blocks > blocks_before {
            assert!(!fail.get(), "a block from a failing allocator");
            assert!(
                arena.block_limit().is_none_or(|cap| s.blocks <= cap),
                "grew past the cap"
            );
        }
        assert_eq!(arena.occupancy().iter().sum::<usize>(), live.len());
        for (p, v) in &live {
            // SAFETY: live slots hold the Obj written above.
            let obj = unsafe { p.as_ref() };
            assert_eq!(
                (obj.refcnt, obj.kind, obj.value),
                (1, KIND, *v),
                "a live object changed"
            );
        }
    }
    let unique: HashSet<usize> = live.iter().map(|(p, _)| p.as_ptr() as usize).collect();
    assert_eq!(unique.len(), live.len());
    // Give everything back so that the fuzzer's leak check sees no block lost.
    for (p, _) in live.drain(..) {
        // SAFETY: as above.
        unsafe { arena.push(p) };
    }
    fail.set(false);
    assert_eq!(arena.clear_free_list(), 0);
    assert_eq!(arena.stats().blocks, 0);
});
