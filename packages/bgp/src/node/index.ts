// @ironlb/bgp/node: the Node driver. BgpSpeaker owns the shared listener and
// the peers; BgpPeer drives one Session with real sockets and timers; the
// socket factory is injectable (plain net, or @ironlb/rawsock for MD5/TTL).
export { BgpPeer, type PeerOptions } from "./peer.ts";
export { BgpSpeaker, type SpeakerOptions } from "./speaker.ts";
export { defaultSocketFactory, type ConnectRequest, type Family, type Listener, type ListenRequest, type SocketFactory, type SocketOptions } from "./sockets.ts";
