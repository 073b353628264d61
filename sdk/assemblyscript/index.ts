// lunatic-as: AssemblyScript programs as Lunatic processes, for lunaticc (README.md).
import "./lunatic/hooks";
export { Result } from "./lunatic/result";
export { Config, FOREVER, Mailbox, MessageKind, Process, Received, Registry, SpawnOptions, Timer, catchTrap } from "./lunatic/process";
export { Reader, Writer } from "./lunatic/codec";
export { Datagram, Socket, SocketAddr, TcpListener, TcpStream, UdpSocket } from "./lunatic/net";
export {
  File, OpenMode, Stdin, args, createDirectory, env, eprint, eprintln, exit, monotonicNanos, nowMillis, print,
  println, randomBytes, readTextFile, removeFile, writeTextFile,
} from "./lunatic/io";
