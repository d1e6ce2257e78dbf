/**
 * Baseline: a bare `ws` broadcast loop, as most hand-written chat servers start. Every message
 * is sent to every client as its own frame. No auth, no storage.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2] ?? 0);
const server = new WebSocketServer({ port, perMessageDeflate: false });
const clients = new Set<WebSocket>();

server.on('connection', (socket) => {
  clients.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => clients.delete(socket));
  socket.on('message', (data, isBinary) => {
    for (const client of clients) client.send(data, { binary: isBinary });
  });
});
server.on('listening', () => process.send?.({ type: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
