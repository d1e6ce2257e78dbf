/**
 * Baseline: a bare `ws` broadcast loop, as most hand-written chat servers start. The URL path
 * names the room (`/r7`); every message is sent to each client of the sender's room as its own
 * frame. No auth, no storage.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2] ?? 0);
/**
 * The listen queue ws-service has (LISTEN_BACKLOG's default): a join storm then compares what
 * the two servers do per connection, not how long the kernel makes refused clients wait.
 */
const LISTEN_BACKLOG = 4096;
const server = new WebSocketServer({ port, backlog: LISTEN_BACKLOG, perMessageDeflate: false });
/** Room name → its clients. An empty room is deleted, as a chat server's would be. */
const rooms = new Map<string, Set<WebSocket>>();

server.on('connection', (socket, req) => {
  const name = req.url ?? '/';
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  const clients = room;
  clients.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clients.delete(socket);
    if (clients.size === 0) rooms.delete(name);
  });
  socket.on('message', (data, isBinary) => {
    for (const client of clients) client.send(data, { binary: isBinary });
  });
});
server.on('listening', () => process.send?.({ type: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
