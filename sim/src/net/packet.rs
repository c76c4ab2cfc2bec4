//! Packets in flight and the pool that recycles them.
//!
//! A packet is a header plus payload bytes. Packets live in a slab and events
//! carry a 4-byte [`PacketId`]; a freed slot keeps its payload buffer, so the
//! steady state allocates nothing per packet.

use std::net::Ipv4Addr;

use simsock_model::packet::DEFAULT_TTL;
use simsock_model::{PacketHeader, TcpFlags, TcpHeader, Transport};

/// Index of a packet in the [`PacketPool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketId(u32);

/// A packet: its header and payload.
#[derive(Clone, Debug)]
pub struct Packet {
    /// IPv4 addresses, TTL and the TCP, UDP or ICMP header.
    pub header: PacketHeader,
    /// The payload bytes (TCP data or a UDP datagram; empty for ICMP).
    pub payload: Vec<u8>,
    /// Why the packet was sent, for the trace: "retransmission", "reset: no
    /// listener", ... Empty for an ordinary packet.
    pub cause: &'static str,
}

/// A slab of packets with a free list.
#[derive(Debug, Default)]
pub struct PacketPool {
    slots: Vec<Packet>,
    free: Vec<u32>,
    live: usize,
}

impl PacketPool {
    /// Drops every packet for another run, keeping the slab's storage (not
    /// the packets' payload buffers): afterwards the pool is
    /// [`PacketPool::default`] in everything but capacity, so the next
    /// packets get the same ids as in a new pool (issue 18, item 5).
    pub fn reset(&mut self) {
        let PacketPool { slots, free, live } = self;
        slots.clear();
        free.clear();
        *live = 0;
    }

    /// Makes room for `packets` in flight at once: the slab and its free
    /// list are allocated once (a big storm's slab otherwise doubled into
    /// fresh memory up to 21 MB at 100,000 hosts). Capacity only: which
    /// slot a packet takes does not change.
    pub fn reserve(&mut self, packets: usize) {
        self.slots
            .reserve_exact(packets.saturating_sub(self.slots.len()));
        self.free
            .reserve_exact(packets.saturating_sub(self.free.len()));
    }

    /// Packets that were in flight at once at the most since the pool was
    /// made or reset (its slots), and the slots it has room for.
    pub fn slots(&self) -> (usize, usize) {
        (self.slots.len(), self.slots.capacity())
    }

    /// Stores a packet whose payload is copied from `parts`.
    pub fn insert(
        &mut self,
        header: PacketHeader,
        parts: [&[u8]; 2],
        cause: &'static str,
    ) -> PacketId {
        self.live += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.header = header;
            slot.cause = cause;
            slot.payload.clear();
            slot.payload.extend_from_slice(parts[0]);
            slot.payload.extend_from_slice(parts[1]);
            return PacketId(index);
        }
        let mut payload = Vec::with_capacity(parts[0].len() + parts[1].len());
        payload.extend_from_slice(parts[0]);
        payload.extend_from_slice(parts[1]);
        self.slots.push(Packet {
            header,
            payload,
            cause,
        });
        PacketId((self.slots.len() - 1) as u32)
    }

    /// Stores a TCP segment from `src` to `dst` (TTL 64) with a copy of
    /// `payload`.
    ///
    /// Performance: the header is written field by field into the slot,
    /// the TCP header straight over the old one when the slot held a
    /// segment; building a `PacketHeader` (or a `Transport`) on the stack
    /// and moving it in stalled on store forwarding (~5% of the storm
    /// benchmark).
    #[inline]
    pub fn insert_tcp(
        &mut self,
        (src, dst): (Ipv4Addr, Ipv4Addr),
        tcp: &TcpHeader,
        payload: &[u8],
        cause: &'static str,
    ) -> PacketId {
        let Some(index) = self.free.pop() else {
            let header = PacketHeader {
                src,
                dst,
                ttl: DEFAULT_TTL,
                transport: Transport::Tcp(*tcp),
            };
            return self.insert(header, [payload, &[]], cause);
        };
        self.live += 1;
        let slot = &mut self.slots[index as usize];
        slot.header.src = src;
        slot.header.dst = dst;
        slot.header.ttl = DEFAULT_TTL;
        match &mut slot.header.transport {
            Transport::Tcp(t) => *t = *tcp,
            other => *other = Transport::Tcp(*tcp),
        }
        slot.cause = cause;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        PacketId(index)
    }

    /// The packet in slot `id`; `id` must be live (not yet freed).
    pub fn get(&self, id: PacketId) -> &Packet {
        &self.slots[id.0 as usize]
    }

    /// The packet in slot `id`, to change (a router lowers its TTL).
    pub fn get_mut(&mut self, id: PacketId) -> &mut Packet {
        &mut self.slots[id.0 as usize]
    }

    /// Returns the slot to the free list; its buffer is kept for reuse.
    pub fn free(&mut self, id: PacketId) {
        self.live -= 1;
        self.free.push(id.0);
    }

    /// Packets currently in flight.
    pub fn live(&self) -> usize {
        self.live
    }
}

/// The RST that answers `seg` for a CLOSED port (RFC 9293 §3.10.7.1): with
/// the acknowledged sequence number if `seg` has ACK, else acknowledging
/// `seg`; none for an RST. Also a firewall's reject (`engine::faults`).
pub fn reset_reply(seg: &TcpHeader) -> Option<TcpHeader> {
    if seg.flags.has(TcpFlags::RST) {
        return None;
    }
    let (seq, ack, flags) = if seg.flags.has(TcpFlags::ACK) {
        (seg.ack, 0, TcpFlags::RST)
    } else {
        let end = seg.seq.wrapping_add(seg.seq_len());
        (0, end, TcpFlags::RST.with(TcpFlags::ACK))
    };
    Some(TcpHeader {
        src_port: seg.dst_port,
        dst_port: seg.src_port,
        seq,
        ack,
        flags,
        window: 0,
        len: 0,
    })
}
