/** Baseline: socket.io with one room, as its documentation shows; no auth, no storage. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'], perMessageDeflate: false });

io.on('connection', (socket) => {
  void socket.join('room');
  socket.on('message', (text: string) => {
    io.to('room').emit('message', text);
  });
});
httpServer.listen(port, () => process.send?.({ type: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
