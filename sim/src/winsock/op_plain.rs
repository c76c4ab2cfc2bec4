//! Overwriting a call that owns nothing on the heap without its drop glue.

use super::Op;

/// Takes a `Copy` field by value: the match in [`Op::is_plain`] compiles
/// only while every field it binds is `Copy`, and a `Copy` type has no
/// drop glue, so a variant listed there has nothing to free.
#[inline(always)]
fn copy<T: Copy>(_: T) -> bool {
    true
}

impl Op {
    /// Whether dropping the call frees nothing: a variant whose fields are
    /// all `Copy` (checked by the compiler: each arm binds its fields by
    /// value and passes them to a function that takes only `Copy` types).
    #[inline(always)]
    pub fn is_plain(&self) -> bool {
        match *self {
            Op::Startup { version } => copy(version),
            Op::Cleanup | Op::LastError => true,
            Op::Socket { slot, family, kind } => copy((slot, family, kind)),
            Op::Bind { slot, addr } => copy((slot, addr)),
            Op::Listen { slot, backlog } => copy((slot, backlog)),
            Op::Accept { slot, into } => copy((slot, into)),
            Op::Connect { slot, to, namelen } => copy((slot, to, namelen)),
            Op::Ioctl {
                slot,
                command,
                value,
            } => copy((slot, command, value)),
            Op::Recv { slot, max } | Op::RecvFrom { slot, max } => copy((slot, max)),
            Op::Shutdown { slot, how } => copy((slot, how)),
            Op::Close { slot }
            | Op::GetSockName { slot }
            | Op::GetPeerName { slot }
            | Op::GetConnData { slot } => copy(slot),
            Op::SetOpt { slot, opt, value } => copy((slot, opt, value)),
            Op::GetOpt { slot, opt } => copy((slot, opt)),
            Op::Sleep(d) => copy(d),
            Op::SleepUntil(t) => copy(t),
            Op::CancelBlockingCall { spi } => copy(spi),
            _ => false,
        }
    }

    /// Writes `op` over this call, dropping what this one held.
    ///
    /// Performance: a plain call ([`Op::is_plain`]) is overwritten without
    /// the drop glue's out-of-line call, which the world paid for every
    /// step a program wrote (issue 18, callgrind at 100 x 200: 14
    /// instructions a call, ~140 per connection); forgetting a plain call
    /// leaks nothing.
    #[inline(always)]
    pub fn overwrite(&mut self, op: Op) {
        if self.is_plain() {
            std::mem::forget(std::mem::replace(self, op));
        } else {
            *self = op;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::Op;

    /// A call that owns heap data is dropped when overwritten: its data's
    /// count falls back; a plain call is simply replaced.
    #[test]
    fn overwrite_drops_what_the_old_call_owned() {
        let data: Rc<[u8]> = Rc::from(&b"abc"[..]);
        let mut op = Op::Send {
            slot: 1,
            data: data.clone(),
        };
        assert!(!op.is_plain());
        assert_eq!(Rc::strong_count(&data), 2);
        op.overwrite(Op::Recv { slot: 2, max: 10 });
        assert_eq!(Rc::strong_count(&data), 1);
        assert!(op.is_plain());
        op.overwrite(Op::Send {
            slot: 3,
            data: data.clone(),
        });
        assert!(matches!(&op, Op::Send { slot: 3, .. }));
        assert_eq!(Rc::strong_count(&data), 2);
        op.overwrite(Op::LastError);
        assert_eq!(Rc::strong_count(&data), 1);
    }
}
