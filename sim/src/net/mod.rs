//! The network: topology, routing, links and packets in flight. It knows
//! nothing of sockets; the engine hands it packets and gets arrivals back.

pub mod link;
pub mod packet;
pub mod routing;
pub mod topology;

pub use link::{Arrival, Link, LinkDrop, LinkId, Shape, ShapeChange};
pub use packet::{Packet, PacketId, PacketPool};
pub use routing::{Hop, Routes};
pub use topology::{NodeId, NodeKind, Topology};
