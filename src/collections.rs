//! Helpers for lists that live to the end of a run.

/// Makes `list`'s capacity its length, by moving its items into a list of exactly that many
/// slots. `Vec::shrink_to_fit` does not do it with the binary's allocator: mimalloc keeps a
/// block that shrinks by less than half where it is (eight listener slots of which five are
/// used stay eight), so the items are moved instead.
pub(crate) fn exact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut tight = Vec::with_capacity(list.len());
        tight.append(list);
        *list = tight;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_keeps_the_items_in_order_in_exactly_their_slots() {
        let mut list: Vec<String> = Vec::new();
        for i in 0..5 {
            list.push(i.to_string());
        }
        assert!(list.capacity() > 5);
        super::exact(&mut list);
        assert_eq!(list, ["0", "1", "2", "3", "4"]);
        assert_eq!(list.capacity(), 5);
        let mut empty: Vec<u8> = Vec::with_capacity(8);
        super::exact(&mut empty);
        assert_eq!(empty.capacity(), 0);
    }
}
