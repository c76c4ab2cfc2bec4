//! The engine's shared core: clock and queue, the network, the trace. Hosts
//! and threads live beside it in [`crate::World`] so that a host's stack can
//! borrow the core mutably while it runs.

use std::net::{Ipv4Addr, SocketAddrV4};

use simsock_model::packet::{DEFAULT_TTL, IcmpUnreachable, Proto, UnreachableCode};
use simsock_model::{PacketHeader, SimDuration, SimTime, TcpHeader, Transport};

use super::buffers::BufferPool;
use super::faults::NetFaults;
use super::queue::EventQueue;
use super::scratch::Scratch;
use super::timers::{TimerId, Timers};
use crate::net::{Hop, LinkId, NodeId, NodeKind, PacketId, PacketPool, Routes, Topology};
use crate::trace::{Trace, TraceKind, TraceMode};

/// Everything the engine can be asked to do at a simulated time.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// A packet reaches a node (over a link, or looped back when `None`).
    Arrive {
        /// The packet, in [`Core::packets`].
        pkt: PacketId,
        /// The node it reaches.
        node: NodeId,
        /// The link it came over; `None` when it reaches the node's input
        /// on no interface ([`Core::send_generated`], a router's own
        /// address).
        link: Option<LinkId>,
    },
    /// A node sends a packet it prepared earlier (ICMP after ARP gave up).
    Emit {
        /// The packet, in [`Core::packets`].
        pkt: PacketId,
        /// The node that sends it.
        node: NodeId,
    },
    /// A cancellable timer: a TCB's retransmission timer or a thread's
    /// time-out (its target is in [`Core::timers`] while it counts).
    Timer {
        /// The timer's entry; a cancelled one makes the event dead.
        timer: TimerId,
    },
    /// The head of a host's TIME_WAIT queue is due.
    TimeWait {
        /// The host, by index into the world's hosts.
        host: u32,
    },
    /// A thread runs (its start, or a wake-up; the end of a sleep or a
    /// time-out is a [`Event::Timer`]).
    Resume {
        /// The thread, by index into the world's threads.
        thread: u32,
    },
    /// A scheduled fault.
    Fault {
        /// The fault's index in the scenario's `faults`.
        index: u32,
    },
}

/// How long a router tries to resolve a neighbour before it answers ICMP
/// host unreachable; the same as a host's default `arp_timeout`
/// (`HostProfile::arp_timeout`, three ARP requests at 0, 1 and 2 s).
pub const ROUTER_ARP_TIMEOUT: SimDuration = SimDuration::from_secs(2);

/// Clock, queue, network and trace.
#[derive(Debug)]
pub struct Core {
    /// The pending events, in their total order; owns the clock
    /// ([`Core::now`]).
    pub queue: EventQueue<Event>,
    /// Nodes, links and the address plan.
    pub topo: Topology,
    /// The next hops computed so far (routes are static).
    pub routes: Routes,
    /// The packets in flight, by [`PacketId`].
    pub packets: PacketPool,
    /// The run's trace sink.
    pub trace: Trace,
    /// Events processed so far (popped from the queue and dispatched).
    pub events: u64,
    /// Calls the threads started so far: not events, but work that counts
    /// against `limits.max_events` ([`Core::work`]).
    pub calls: u64,
    /// The timers that still count (TCB retransmissions, thread time-outs).
    pub timers: Timers,
    /// Spare TCB buffer storage, shared by all hosts (lent before a write,
    /// given back when a buffer empties: see [`super::buffers`]).
    pub buffers: BufferPool,
    /// Scratch space lent to the layer above (the TCP layer's output,
    /// reused so a segment costs no allocation): see [`Scratch`].
    pub scratch: Scratch,
    /// Partitions, firewalls, hosts down and waiting triggers.
    pub faults: NetFaults,
}

impl Core {
    /// A core at time 0 with no events, no packets and no faults, over
    /// `topo`, recording into `trace`.
    pub fn new(topo: Topology, trace: Trace) -> Self {
        Core {
            queue: EventQueue::default(),
            topo,
            routes: Routes::default(),
            packets: PacketPool::default(),
            trace,
            events: 0,
            calls: 0,
            timers: Timers::default(),
            buffers: BufferPool::default(),
            scratch: Scratch::default(),
            faults: NetFaults::default(),
        }
    }

    /// Makes this finished core the core [`Core::new`] makes over `topo`
    /// with a `mode` trace, in place: its queue, timers, packet slab and
    /// trace buffer emptied but keeping their storage (sweeps: issue 18,
    /// item 5), everything else made anew.
    ///
    /// Performance: in place, because a core is 2.4 KB and each move of it
    /// (into a spare, back into a new core, into a new world) was a copy;
    /// a one-connect sweep spent about 5% of its time copying worlds.
    /// Every field is named, so that a new one cannot be forgotten here.
    pub fn renew(&mut self, topo: Topology, mode: TraceMode) {
        let Core {
            queue,
            topo: old_topo,
            routes,
            packets,
            trace,
            events,
            calls,
            timers,
            buffers,
            scratch,
            faults,
        } = self;
        queue.reset();
        *old_topo = topo;
        *routes = Routes::default();
        packets.reset();
        trace.renew(mode);
        *events = 0;
        *calls = 0;
        timers.reset();
        *buffers = BufferPool::default();
        *scratch = Scratch::default();
        *faults = NetFaults::default();
    }

    /// The work done so far, what `limits.max_events` bounds: events and
    /// calls.
    #[inline]
    pub fn work(&self) -> u64 {
        self.events + self.calls
    }

    /// The simulated time: that of the event being processed (between
    /// events, that of the next live one once the queue was asked).
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Queues `event` at `at`, never before [`Core::now`]; same-time events
    /// run in the order they were scheduled unless the scenario shuffles
    /// ties ([`EventQueue::shuffle_ties`]). Cancelled timers are dropped
    /// from a full bucket rather than grow it
    /// ([`EventQueue::schedule_live`]).
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: Event) {
        let timers = &self.timers;
        self.queue
            .schedule_live(at, event, |e: &Event| timers.is_live(e));
    }

    /// Wakes `thread` at `at`, the time-out of its call under way, unless
    /// the call returns first ([`Timers::cancel_wait`]).
    pub fn schedule_wait(&mut self, thread: u32, at: SimTime) {
        let timer = self.timers.arm_wait(thread);
        self.schedule(at, Event::Timer { timer });
    }

    /// A node sends a new packet with the given payload.
    pub fn send_new(
        &mut self,
        from: NodeId,
        header: PacketHeader,
        parts: [&[u8]; 2],
        cause: &'static str,
        arp_timeout: SimDuration,
    ) {
        let pkt = self.packets.insert(header, parts, cause);
        self.send(from, pkt, arp_timeout);
    }

    /// Routes a pooled packet from `from` and puts it on the next link.
    pub fn send(&mut self, from: NodeId, pkt: PacketId, arp_timeout: SimDuration) {
        let dst = self.packets.get(pkt).header.dst;
        let hop = self.routes.next_hop(&self.topo, from, dst);
        self.send_via(from, pkt, hop, arp_timeout);
    }

    /// Sends a packet the node made up itself (an ICMP error after ARP gave
    /// up, a firewall's RST): one for the node itself never was on the
    /// wire, so it reaches the node's input at once, on no interface (not
    /// over its loopback).
    pub fn send_generated(&mut self, from: NodeId, pkt: PacketId, arp_timeout: SimDuration) {
        let dst = self.packets.get(pkt).header.dst;
        match self.routes.next_hop(&self.topo, from, dst) {
            Hop::Local => {
                let arrive = Event::Arrive {
                    pkt,
                    node: from,
                    link: None,
                };
                self.schedule(self.now(), arrive);
            }
            hop => self.send_via(from, pkt, hop, arp_timeout),
        }
    }

    /// A node sends a TCP segment along `hop`, the answer
    /// [`Routes::next_hop`] gave (or would give) for `addrs.1`: routes are
    /// static, so a connection asks once and keeps the answer.
    pub fn send_segment_via(
        &mut self,
        from: NodeId,
        (addrs, tcp): ((Ipv4Addr, Ipv4Addr), &TcpHeader),
        (payload, cause): (&[u8], &'static str),
        (hop, arp_timeout): (Hop, SimDuration),
    ) {
        let pkt = self.packets.insert_tcp(addrs, tcp, payload, cause);
        // Performance: a segment to another node, the common case, goes
        // straight to its link (issue 18: the storm's 9 segments per
        // connection; `send_via` does the same for it).
        match hop {
            Hop::Forward { link, to } => self.transmit_inline(from, link, to, pkt),
            hop => self.send_via(from, pkt, hop, arp_timeout),
        }
    }

    /// Puts a pooled packet on the way `hop` says: a packet for the node
    /// itself goes over its loopback interface (a host's) or arrives at
    /// once (a router's own address).
    fn send_via(&mut self, from: NodeId, pkt: PacketId, hop: Hop, arp_timeout: SimDuration) {
        match hop {
            Hop::Local if let Some(lo) = self.topo.loopback(from) => {
                self.transmit(from, lo, from, pkt);
            }
            Hop::Local => self.schedule(
                self.now(),
                Event::Arrive {
                    pkt,
                    node: from,
                    link: None,
                },
            ),
            Hop::Forward { link, to } => self.transmit(from, link, to, pkt),
            Hop::Unresolved => {
                let header = self.packets.get(pkt).header;
                self.drop_packet(from, None, pkt, "no neighbour answers ARP");
                self.answer_unreachable(from, &header, UnreachableCode::Host, arp_timeout);
            }
            Hop::NoRoute => {
                let header = self.packets.get(pkt).header;
                self.drop_packet(from, None, pkt, "no route");
                if self.topo.kind(from) == NodeKind::Router {
                    self.answer_unreachable(from, &header, UnreachableCode::Net, SimDuration::ZERO);
                }
            }
        }
    }

    pub(super) fn transmit(&mut self, from: NodeId, link_id: LinkId, to: NodeId, pkt: PacketId) {
        self.transmit_inline(from, link_id, to, pkt);
    }

    /// [`Core::transmit`], inlined into [`Core::send_segment_via`].
    ///
    /// Performance (issue 18): a call of its own cost ~20 instructions of
    /// entry and exit for each of the storm's 9 segments a connection
    /// (callgrind at 100 x 200).
    #[inline(always)]
    fn transmit_inline(&mut self, from: NodeId, link_id: LinkId, to: NodeId, pkt: PacketId) {
        if self.faults.engaged && !super::faults::before_link(self, from, link_id, pkt) {
            return;
        }
        let now = self.now();
        if self.trace.is_on() {
            let p = self.packets.get(pkt);
            let kind = TraceKind::Send {
                link: link_id,
                header: p.header,
                len: p.payload.len() as u32,
                cause: p.cause,
            };
            self.trace.record(now, from, kind);
        }
        if self.faults.engaged && !super::faults::on_link(self, from, link_id, to, pkt) {
            return;
        }
        match self.topo.links[link_id.0 as usize].transmit(now, from) {
            Ok(arrival) => {
                let arrive = Event::Arrive {
                    pkt,
                    node: to,
                    link: Some(link_id),
                };
                self.schedule(arrival.at, arrive);
                if let Some(at) = arrival.duplicate {
                    self.duplicate(from, link_id, to, pkt, at);
                }
            }
            Err(why) => self.drop_packet(from, Some(link_id), pkt, why.as_str()),
        }
    }

    /// A `LinkSet` fault's duplication: a copy of `pkt`, traced as sent
    /// with cause "duplicate", arrives at `at`: right after it, or
    /// `duplicate_delay` later.
    fn duplicate(&mut self, from: NodeId, link: LinkId, to: NodeId, pkt: PacketId, at: SimTime) {
        let original = self.packets.get(pkt);
        let (header, payload) = (original.header, original.payload.clone());
        let copy = self.packets.insert(header, [&payload, &[]], "duplicate");
        if self.trace.is_on() {
            let kind = TraceKind::Send {
                link,
                header,
                len: payload.len() as u32,
                cause: "duplicate",
            };
            self.trace.record(self.now(), from, kind);
        }
        let arrive = Event::Arrive {
            pkt: copy,
            node: to,
            link: Some(link),
        };
        self.schedule(at, arrive);
    }

    /// Traces a drop and frees the packet.
    pub fn drop_packet(
        &mut self,
        node: NodeId,
        link: Option<LinkId>,
        pkt: PacketId,
        reason: &'static str,
    ) {
        if self.trace.is_on() {
            let header = self.packets.get(pkt).header;
            self.trace.record(
                self.now(),
                node,
                TraceKind::Drop {
                    link,
                    header,
                    reason,
                },
            );
        }
        self.packets.free(pkt);
    }

    /// RFC 792 destination unreachable from `node` about `orig`, sent after
    /// `delay`. Never about an ICMP message (RFC 1122 §3.2.2).
    pub(crate) fn answer_unreachable(
        &mut self,
        node: NodeId,
        orig: &PacketHeader,
        code: UnreachableCode,
        delay: SimDuration,
    ) {
        let (orig_proto, sport, dport) = match orig.transport {
            Transport::Tcp(t) => (Proto::Tcp, t.src_port, t.dst_port),
            Transport::Udp {
                src_port, dst_port, ..
            } => (Proto::Udp, src_port, dst_port),
            Transport::Unreachable(_) => return,
        };
        let Some(src) = self.topo.source_addr(node, orig.src) else {
            return;
        };
        let msg = IcmpUnreachable {
            code,
            orig_src: SocketAddrV4::new(orig.src, sport),
            orig_dst: SocketAddrV4::new(orig.dst, dport),
            orig_proto,
        };
        let header = PacketHeader {
            src,
            dst: orig.src,
            ttl: DEFAULT_TTL,
            transport: Transport::Unreachable(msg),
        };
        let cause = match code {
            UnreachableCode::Host => "host unreachable: ARP got no answer",
            UnreachableCode::Net => "net unreachable: no route",
            UnreachableCode::Port => "port unreachable",
            UnreachableCode::AdminProhibited => "admin prohibited: firewall",
        };
        let pkt = self.packets.insert(header, [&[], &[]], cause);
        self.schedule(self.now() + delay, Event::Emit { pkt, node });
    }

    /// A router received a packet: forward it, or drop it when its TTL runs
    /// out or it was addressed to the router itself.
    pub fn forward(&mut self, router: NodeId, pkt: PacketId) {
        let header = &mut self.packets.get_mut(pkt).header;
        if self
            .topo
            .node(router)
            .addrs
            .iter()
            .any(|c| c.addr == header.dst)
        {
            self.drop_packet(router, None, pkt, "addressed to the router");
            return;
        }
        if header.ttl <= 1 {
            self.drop_packet(router, None, pkt, "TTL expired");
            return;
        }
        header.ttl -= 1;
        self.packets.get_mut(pkt).cause = "";
        self.send(router, pkt, ROUTER_ARP_TIMEOUT);
    }
}
