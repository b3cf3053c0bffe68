//! A "latest wins" hand-off: publishing replaces the oldest item the reader has not taken yet,
//! so a slow reader gets the newest items and nothing queues up behind them.

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

pub struct LatestTx<T> {
    tx: Sender<T>,
    /// The sender's own handle on the slot, to throw out a stale item.
    drain: Receiver<T>,
}

impl<T> Clone for LatestTx<T> {
    fn clone(&self) -> Self {
        LatestTx { tx: self.tx.clone(), drain: self.drain.clone() }
    }
}

/// A latest-wins channel of one slot: the receiver is an ordinary crossbeam receiver.
pub fn latest<T>() -> (LatestTx<T>, Receiver<T>) {
    latest_few(1)
}

/// A latest-wins channel that keeps the newest `n` items (at least one) in order: a reader that
/// waits a little on each item (live mode's compositor, for the follower's placement of its
/// frame) misses none, and one that falls behind loses the oldest.
pub fn latest_few<T>(n: usize) -> (LatestTx<T>, Receiver<T>) {
    let (tx, rx) = bounded(n.max(1));
    (LatestTx { tx, drain: rx.clone() }, rx)
}

impl<T> LatestTx<T> {
    /// Put `v` in the slot; returns true when it put out an item nobody took (the oldest).
    pub fn publish(&self, mut v: T) -> bool {
        let mut replaced = false;
        loop {
            match self.tx.try_send(v) {
                Ok(()) => return replaced,
                Err(TrySendError::Full(back)) => {
                    replaced |= self.drain.try_recv().is_ok();
                    v = back;
                }
                Err(TrySendError::Disconnected(_)) => return replaced,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_item_wins() {
        let (tx, rx) = latest();
        assert!(!tx.publish(1));
        assert!(tx.publish(2));
        assert!(tx.publish(3));
        assert_eq!(rx.try_recv(), Ok(3));
        assert!(rx.try_recv().is_err());
        drop(tx);
        assert!(rx.recv().is_err(), "dropping the sender ends the channel");
    }

    #[test]
    fn a_few_newest_items_are_kept_in_order() {
        let (tx, rx) = latest_few(3);
        assert!(!tx.publish(1));
        assert!(!tx.publish(2));
        assert!(!tx.publish(3));
        assert!(tx.publish(4), "the oldest goes out for the newest");
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![2, 3, 4]);
    }
}
