/**
 * Baseline: socket.io rooms, as its documentation shows; no auth, no storage. A client names its
 * room in the handshake's `auth` (`{ room: 'r7' }`); without one it joins the single room.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'], perMessageDeflate: false });

io.on('connection', (socket) => {
  const requested = (socket.handshake.auth as { room?: unknown }).room;
  const room = typeof requested === 'string' ? requested : 'room';
  void socket.join(room);
  socket.on('message', (text: string) => {
    io.to(room).emit('message', text);
  });
});
httpServer.listen(port, () => process.send?.({ type: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
