// TCP and UDP: a listener on a port the system picks, a client process that connects, the
// accepted stream handed in a message to an echo process, timeouts; UDP datagrams both ways,
// a connected socket, and a socket moved to another process in a message.
// expect-stdout: listening on 127\.0\.0\.1:\d+
// expect-stdout: echo: hello over tcp
// expect-stdout: read timeout: timed out
// expect-stdout: udp: ping from 127\.0\.0\.1:\d+ answered pong
// expect-stdout: udp socket moved: sent by another process
// expect-stdout: connect refused: error
import { Mailbox, Process, SocketAddr, TcpListener, TcpStream, UdpSocket, println } from "lunatic-as";
import { check } from "./check";

/** Echoes what arrives on its stream until the end. */
function echo(stream: TcpStream): void {
  const buffer = new Uint8Array(256);
  while (true) {
    const n = stream.read(buffer);
    if (n.isErr || n.unwrap() == 0) break;
    stream.write(buffer.subarray(0, n.unwrap())).unwrap();
  }
  stream.close();
}

function client(address: string): void {
  const stream = TcpStream.connect(address).expect("connect");
  stream.writeString("hello over tcp").unwrap();
  const buffer = new Uint8Array(64);
  let text = "";
  while (text.length < 14) {
    const n = stream.read(buffer).unwrap();
    if (n == 0) break;
    text += String.UTF8.decodeUnsafe(buffer.dataStart, n);
  }
  println("echo: " + text);
  stream.setReadTimeout(50);
  const timedOut = stream.read(buffer);
  println("read timeout: " + (timedOut.isErr ? timedOut.error : "data"));
  stream.close();
}

/** A socket and where to send with it, moved to another process in a message (a plain
 *  class: the package's transform makes its encoding). */
class UdpJob {
  socket: UdpSocket | null = null;
  to: string = "";
}

function udpSender(job: UdpJob): void {
  job.socket!.sendTo(Uint8Array.wrap(String.UTF8.encode("moved")), job.to).unwrap();
}

export function _start(): void {
  const listener = TcpListener.bind("127.0.0.1:0").expect("bind");
  const address = listener.localAddress().unwrap().toString();
  println("listening on " + address);
  const connecting = Process.spawn<string, i32>(address, client).unwrap();
  connecting.monitor();
  const accepted = listener.accept().expect("accept");
  Process.spawn<TcpStream, i32>(accepted, echo).unwrap();
  check(accepted.isClosed, "a stream sent in a message stays open in the sender");
  new Mailbox<i32>().receive(10000);  // the client's end

  const a = UdpSocket.bind("127.0.0.1:0").unwrap();
  const b = UdpSocket.bind("127.0.0.1:0").unwrap();
  const aAddress = a.localAddress().unwrap().toString();
  const bAddress = b.localAddress().unwrap().toString();
  a.sendTo(Uint8Array.wrap(String.UTF8.encode("ping")), bAddress).unwrap();
  const buffer = new Uint8Array(64);
  const got = b.receiveFrom(buffer).unwrap();
  const ping = String.UTF8.decodeUnsafe(buffer.dataStart, got.length);
  check(got.sender.toString() == aAddress, "the sender is " + got.sender.toString() + ", not " + aAddress);
  b.connect(aAddress).unwrap();
  b.send(Uint8Array.wrap(String.UTF8.encode("pong"))).unwrap();
  a.connect(bAddress).unwrap();
  const n = a.receive(buffer).unwrap();
  println("udp: " + ping + " from " + got.sender.toString() + " answered " + String.UTF8.decodeUnsafe(buffer.dataStart, n));

  const moved = new UdpJob();
  moved.socket = UdpSocket.bind("127.0.0.1:0").unwrap();
  const unconnected = UdpSocket.bind("127.0.0.1:0").unwrap();
  moved.to = unconnected.localAddress().unwrap().toString();
  Process.spawn<UdpJob, i32>(moved, udpSender).unwrap();
  const d = unconnected.receiveFrom(buffer).unwrap();
  println("udp socket moved: sent by another process" + (String.UTF8.decodeUnsafe(buffer.dataStart, d.length) == "moved" ? "" : " (wrong bytes)"));
  check(moved.socket!.isClosed, "a socket sent in a message stays open in the sender");

  // Nothing listens on the port a closed listener had.
  listener.close();
  const refused = TcpStream.connect(address, 2000);
  println("connect refused: " + (refused.isErr ? "error" : "connected"));
  const bad = SocketAddr.resolve("no-such-host.invalid:80", 2000);
  check(bad.isErr, "a name that cannot resolve resolved");
}
