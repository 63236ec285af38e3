//! A queue read from its front without moving what follows: the driver's byte buffers and their frame marks.
//!
//! Decoders take units off the front of a buffer one at a time. Removing each unit with `Vec::drain` moves
//! everything after it, which is quadratic when a 256 KiB segment holds thousands of small units (pipelined
//! requests, tiny WebSocket frames). Here consuming only moves a cursor; what is left is moved to the front
//! once the consumed part is at least as long, so every item is moved at most once per consumed item.

/// Items appended at the back and consumed from the front.
#[derive(Debug)]
pub(super) struct Queue<T> {
    items: Vec<T>,
    start: usize,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue { items: Vec::new(), start: 0 }
    }
}

impl<T: Copy> Queue<T> {
    pub fn as_slice(&self) -> &[T] {
        self.items.get(self.start..).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.items.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn first(&self) -> Option<&T> {
        self.as_slice().first()
    }

    pub fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }

    pub fn extend_from_slice(&mut self, more: &[T]) {
        self.compact();
        self.items.extend_from_slice(more);
    }

    pub fn push(&mut self, item: T) {
        self.compact();
        self.items.push(item);
    }

    /// Drops the first `n` items (all of them if there are fewer).
    pub fn consume(&mut self, n: usize) {
        self.start += n.min(self.len());
        if self.start == self.items.len() {
            self.clear();
        }
    }

    /// Empties the queue, keeping its memory for what comes next.
    pub fn clear(&mut self) {
        self.items.clear();
        self.start = 0;
    }

    fn compact(&mut self) {
        if self.start > 0 && self.start >= self.len() {
            self.items.drain(..self.start);
            self.start = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consuming_moves_a_cursor_and_appending_compacts() {
        let mut q = Queue::default();
        q.extend_from_slice(b"abcdef");
        q.consume(2);
        assert_eq!(q.as_slice(), b"cdef");
        q.consume(3);
        assert_eq!((q.as_slice(), q.first(), q.last()), (&b"f"[..], Some(&b'f'), Some(&b'f')));
        // Five consumed, one left: appending moves the one byte to the front first.
        q.extend_from_slice(b"gh");
        assert_eq!((q.as_slice(), q.start), (&b"fgh"[..], 0));
        q.consume(10);
        assert!(q.is_empty());
        q.push(b'x');
        assert_eq!(q.as_slice(), b"x");
    }

    #[test]
    fn taking_many_small_units_off_a_big_buffer_moves_each_byte_at_most_once() {
        let mut q = Queue::default();
        q.extend_from_slice(&vec![0u8; 1 << 20]);
        let mut moved = 0;
        for _ in 0..(1 << 16) {
            q.consume(8);
            let before = q.start;
            q.push(1);
            if q.start < before {
                moved += q.len();
            }
        }
        assert!(moved <= 1 << 20, "{moved} bytes moved");
    }
}
