//! A one-slot "latest wins" hand-off: publishing replaces what the reader has not taken yet,
//! so a slow reader always gets the newest item and nothing queues up behind it.

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

/// A latest-wins channel: the receiver is an ordinary crossbeam receiver.
pub fn latest<T>() -> (LatestTx<T>, Receiver<T>) {
    let (tx, rx) = bounded(1);
    (LatestTx { tx, drain: rx.clone() }, rx)
}

impl<T> LatestTx<T> {
    /// Put `v` in the slot; returns true when it replaced an item nobody took.
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
}
