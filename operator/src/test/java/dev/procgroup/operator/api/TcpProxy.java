package dev.procgroup.operator.api;

import dev.procgroup.testing.TestPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST TOOL: a TCP forwarder in front of the test API server, so one client can lose it (an outage: the listening
 * socket and every open connection are closed) while the shared cluster keeps running. TLS passes through
 * untouched. The port stays the same across {@link #cut()} and {@link #open()}.
 */
final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket server;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    port = TestPorts.free(); // re-bound after every outage: must stay out of the ephemeral range
  }

  synchronized void open() throws IOException {
    if (server != null) return;
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("127.0.0.1", port));
    server = s;
    daemon("proxy-accept", () -> {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          Socket upstream = new Socket(targetHost, targetPort);
          open.add(client);
          open.add(upstream);
          daemon("proxy-up", () -> pump(client, upstream));
          daemon("proxy-down", () -> pump(upstream, client));
        } catch (IOException e) {
          // closed by cut()
        }
      }
    });
  }

  /** The API server vanishes for this client: no new connections, and the open ones are reset. */
  synchronized void cut() throws IOException {
    if (server == null) return;
    server.close();
    server = null;
    for (Socket s : open) s.close();
    open.clear();
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // the other side or cut() closed it
    } finally {
      close(from);
      close(to);
    }
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
