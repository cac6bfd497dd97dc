//! The arena's unit tests and a property test against a model.

use super::*;
use proptest::prelude::*;
use std::cell::Cell;
use std::collections::HashSet;

/// Shaped like a Python int: refcount, type pointer, value.
#[repr(C)]
struct Obj {
    refcnt: usize,
    kind: usize,
    value: i64,
}

// SAFETY: the tests write 0xABCD into `kind`, never FREE_MARK's address.
unsafe impl PoolSlot for Obj {}

type TestArena = Arena<Obj, SystemBlocks>;

fn live(arena: &mut TestArena, value: i64) -> NonNull<Obj> {
    let p = arena.pop().expect("memory");
    unsafe {
        p.as_ptr().write(Obj {
            refcnt: 1,
            kind: 0xABCD,
            value,
        })
    };
    p
}

fn check_invariants(arena: &TestArena) {
    let s = arena.stats();
    assert_eq!(s.capacity, s.blocks * s.objects_per_block);
    assert_eq!(s.in_use + s.free, s.capacity);
    assert_eq!(s.bytes_reserved, s.blocks * s.block_size);
    assert_eq!(s.blocks as u64, s.blocks_allocated - s.blocks_released);
    assert!(s.peak_blocks >= s.blocks);
    // The free list really has `free` entries, all distinct and marked.
    let mut seen = HashSet::new();
    let mut p = arena.free_list;
    while !p.is_null() {
        assert!(seen.insert(p as usize), "free list has a cycle");
        unsafe {
            assert_eq!((*p).mark, free_mark());
            p = (*p).next;
        }
    }
    assert_eq!(seen.len(), s.free);
    assert_eq!(arena.occupancy().iter().sum::<usize>(), s.in_use);
}

#[test]
fn geometry_is_python_2s() {
    assert_eq!(TestArena::SLOTS_PER_BLOCK, 41);
    assert_eq!(TestArena::BLOCK_BYTES, 992);
    assert_eq!(Arena::<[u64; 5], SystemBlocks>::SLOTS_PER_BLOCK, 24);
    assert_eq!(Arena::<[u64; 2], SystemBlocks>::SLOTS_PER_BLOCK, 62);
}

#[test]
fn fill_links_first_slot_first_and_pop_walks_up() {
    let mut arena = TestArena::new(SystemBlocks);
    let a = live(&mut arena, 1).as_ptr() as usize;
    let b = live(&mut arena, 2).as_ptr() as usize;
    assert_eq!(b - a, size_of::<Obj>());
    let block = arena.block_list as usize;
    assert_eq!(a, block + BHEAD_SIZE);
    check_invariants(&arena);
}

#[test]
fn pop_fills_a_new_block_every_41() {
    let mut arena = TestArena::new(SystemBlocks);
    for i in 0..41 {
        live(&mut arena, i);
    }
    assert_eq!((arena.stats().blocks, arena.stats().free), (1, 0));
    live(&mut arena, 41);
    let s = arena.stats();
    assert_eq!((s.blocks, s.free, s.in_use, s.allocations), (2, 40, 42, 42));
    check_invariants(&arena);
}

#[test]
fn push_reuses_the_last_freed_slot_first() {
    let mut arena = TestArena::new(SystemBlocks);
    let a = live(&mut arena, 1);
    let _b = live(&mut arena, 2);
    unsafe { arena.push(a) };
    assert_eq!(arena.pop(), Some(a));
    assert_eq!(arena.stats().deallocations, 1);
    assert_eq!(arena.stats().allocations, 3);
}

#[test]
fn push_never_releases_blocks() {
    let mut arena = TestArena::new(SystemBlocks);
    let slots: Vec<_> = (0..1000).map(|i| live(&mut arena, i)).collect();
    let blocks = arena.stats().blocks;
    for s in slots {
        unsafe { arena.push(s) };
    }
    let s = arena.stats();
    assert_eq!((s.blocks, s.in_use, s.blocks_released), (blocks, 0, 0));
    check_invariants(&arena);
}

#[test]
fn clear_keeps_blocks_with_a_live_object_and_preserves_values() {
    let mut arena = TestArena::new(SystemBlocks);
    let slots: Vec<_> = (0..41 * 5).map(|i| live(&mut arena, i)).collect();
    // Keep one object in the oldest block and one in the third.
    let keep = [0usize, 41 * 2 + 7];
    for (i, s) in slots.iter().enumerate() {
        if !keep.contains(&i) {
            unsafe { arena.push(*s) };
        }
    }
    assert_eq!(arena.clear_free_list(), 2);
    let s = arena.stats();
    assert_eq!(
        (s.blocks, s.in_use, s.free, s.blocks_released),
        (2, 2, 80, 3)
    );
    for &i in &keep {
        assert_eq!(unsafe { slots[i].as_ref().value }, i as i64);
    }
    assert_eq!(arena.occupancy(), vec![1, 1]);
    check_invariants(&arena);
    // Reuse: 80 pops come from the kept blocks, the 81st fills a new one.
    for i in 0..80 {
        live(&mut arena, i);
    }
    assert_eq!(arena.stats().blocks, 2);
    live(&mut arena, 80);
    assert_eq!(arena.stats().blocks, 3);
    assert_eq!(arena.stats().peak_blocks, 5);
    check_invariants(&arena);
}

#[test]
fn a_popped_slot_is_live_before_it_is_written() {
    let mut arena = TestArena::new(SystemBlocks);
    let p = arena.pop().expect("memory");
    // Cleared before the caller writes anything: the block must stay.
    assert_eq!(arena.clear_free_list(), 1);
    assert_eq!(arena.stats().blocks, 1);
    assert_eq!(arena.occupancy(), vec![1]);
    unsafe {
        p.as_ptr().write(Obj {
            refcnt: 1,
            kind: 0xABCD,
            value: 9,
        })
    };
    assert_eq!(unsafe { p.as_ref().value }, 9);
    unsafe { arena.push(p) };
    assert_eq!(arena.clear_free_list(), 0);
    assert_eq!(arena.stats().blocks, 0);
}

#[test]
fn clear_on_an_empty_arena_is_a_no_op() {
    let mut arena = TestArena::new(SystemBlocks);
    assert_eq!(arena.clear_free_list(), 0);
    assert_eq!(arena.stats(), TestArena::new(SystemBlocks).stats());
}

/// Fails every allocation after the first `budget`.
struct Budget {
    budget: Cell<usize>,
}
unsafe impl BlockAllocator for Budget {
    fn allocate(&self, size: usize) -> *mut u8 {
        if self.budget.get() == 0 {
            return ptr::null_mut();
        }
        self.budget.set(self.budget.get() - 1);
        SystemBlocks.allocate(size)
    }
    unsafe fn release(&self, block: *mut u8, size: usize) {
        unsafe { SystemBlocks.release(block, size) }
    }
}

#[test]
fn allocation_failure_leaves_the_arena_unchanged_and_usable() {
    let mut arena: Arena<Obj, Budget> = Arena::new(Budget {
        budget: Cell::new(1),
    });
    let slots: Vec<_> = (0..41).map(|_| arena.pop().unwrap()).collect();
    let before = arena.stats();
    assert!(arena.pop().is_none());
    assert_eq!(arena.stats(), before);
    unsafe { arena.push(slots[3]) };
    assert_eq!(arena.pop(), Some(slots[3]));
}

#[test]
fn block_limit_refuses_growth_but_not_reuse() {
    let mut arena = TestArena::new(SystemBlocks);
    let a = live(&mut arena, 1);
    arena.set_block_limit(Some(1));
    for i in 0..40 {
        live(&mut arena, i);
    }
    assert!(arena.pop().is_none());
    unsafe { arena.push(a) };
    assert!(arena.pop().is_some());
    arena.set_block_limit(None);
    assert!(arena.pop().is_some());
    assert_eq!(arena.stats().blocks, 2);
}

#[derive(Debug, Clone)]
enum Op {
    Pop,
    Push(usize),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => Just(Op::Pop),
        4 => any::<usize>().prop_map(Op::Push),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    /// Random pop/push/clear sequences against a model: a list of live
    /// objects and their values. Every live object keeps its value, no
    /// slot is handed out twice, and the counters match the model.
    #[test]
    fn random_sequences_match_a_model(ops in prop::collection::vec(op(), 1..600)) {
        let mut arena = TestArena::new(SystemBlocks);
        let mut model: Vec<(NonNull<Obj>, i64)> = Vec::new();
        let (mut pops, mut pushes, mut next_value) = (0u64, 0u64, 0i64);
        for op in ops {
            match op {
                Op::Pop => {
                    let p = live(&mut arena, next_value);
                    prop_assert!(model.iter().all(|(q, _)| *q != p), "slot handed out twice");
                    prop_assert_eq!(p.as_ptr() as usize % 8, 0);
                    model.push((p, next_value));
                    next_value += 1;
                    pops += 1;
                }
                Op::Push(i) if !model.is_empty() => {
                    let (p, _) = model.swap_remove(i % model.len());
                    unsafe { arena.push(p) };
                    pushes += 1;
                }
                Op::Push(_) => {}
                Op::Clear => {
                    prop_assert_eq!(arena.clear_free_list(), model.len());
                    let s = arena.stats();
                    // Each kept block holds at least one live object.
                    prop_assert!(s.blocks <= model.len());
                    prop_assert!(arena.occupancy().iter().all(|&n| n > 0));
                }
            }
            let s = arena.stats();
            prop_assert_eq!(s.in_use, model.len());
            prop_assert_eq!((s.allocations, s.deallocations), (pops, pushes));
            for (p, v) in &model {
                prop_assert_eq!(unsafe { p.as_ref().value }, *v);
            }
        }
        check_invariants(&arena);
    }
}

/// `clear_free_list` rebuilds the list of a kept block in the order of a
/// fill: lowest address first, whatever order the slots were freed in.
#[test]
fn clear_free_list_keeps_pops_climbing() {
    let mut arena = TestArena::new(SystemBlocks);
    let n = TestArena::SLOTS_PER_BLOCK;
    let slots: Vec<_> = (0..n).map(|i| live(&mut arena, i as i64)).collect();
    // Keep the block with one live object, free the rest in a scrambled
    // order, and let clear_free_list rebuild the list.
    for (i, s) in slots.iter().enumerate().skip(1) {
        if i % 2 == 0 {
            unsafe { arena.push(*s) };
        }
    }
    for (i, s) in slots.iter().enumerate().skip(1) {
        if i % 2 == 1 {
            unsafe { arena.push(*s) };
        }
    }
    assert_eq!(arena.clear_free_list(), 1);
    let again: Vec<_> = (1..n).map(|i| live(&mut arena, i as i64)).collect();
    assert_eq!(again, slots[1..]);
    check_invariants(&arena);
}

/// A snapshot agrees with the counters and with itself: as many live bits
/// as live objects, every free slot on the free list once, none of them
/// live, across several blocks and after a clear.
#[test]
fn snapshot_matches_the_counters() {
    let mut arena = TestArena::new(SystemBlocks);
    let slots: Vec<_> = (0..200).map(|i| live(&mut arena, i)).collect();
    for (i, s) in slots.iter().enumerate() {
        if i % 3 != 0 || i >= 120 {
            unsafe { arena.push(*s) };
        }
    }
    for round in 0..2 {
        let s = arena.stats();
        let snap = arena.snapshot(usize::MAX);
        assert_eq!(snap.live.len(), s.blocks, "round {round}");
        assert_eq!(
            snap.addresses.iter().collect::<HashSet<_>>().len(),
            s.blocks
        );
        let live_bits: u32 = snap.live.iter().map(|w| w.count_ones()).sum();
        assert_eq!(live_bits as usize, s.in_use);
        assert_eq!(snap.free_list.len(), s.free);
        let unique: HashSet<_> = snap.free_list.iter().collect();
        assert_eq!(unique.len(), s.free);
        assert!(snap
            .free_list
            .iter()
            .all(|&(b, i)| i < TestArena::SLOTS_PER_BLOCK && snap.live[b] & 1 << i == 0));
        assert_eq!(arena.snapshot(3).free_list, snap.free_list[..3]);
        arena.clear_free_list();
    }
}
