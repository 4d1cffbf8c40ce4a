package dev.procgroup.sidecar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A blocking raw TCP client for tests that must send what no HTTP client would (every read has a deadline). */
final class Raw implements AutoCloseable {

  /** What came back: the status line's code (0 when none), the bytes read, and whether the server closed. */
  record Answer(int status, String text, boolean closed, boolean timedOut) {
    String errorName() {
      Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"").matcher(text);
      return m.find() ? m.group(1) : null;
    }

    String body() {
      int i = text.indexOf("\r\n\r\n");
      return i < 0 ? "" : text.substring(i + 4);
    }
  }

  final Socket socket;
  final OutputStream out;
  final InputStream in;

  Raw(int port) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    } catch (IOException e) {
      throw new AssertionError("connect to " + port + ": " + e, e);
    }
  }

  Raw send(String s) {
    return send(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Writes; a server that already closed makes the write fail, which is not an error here. */
  Raw send(byte[] b) {
    try {
      out.write(b);
      out.flush();
    } catch (IOException ignored) {
      // closed by the server: the answer (or its absence) is what the test looks at
    }
    return this;
  }

  /** Reads one HTTP answer (headers + Content-Length body), or until the server closes, at most {@code ms}. */
  Answer answer(long ms) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + ms * 1_000_000L;
    byte[] buf = new byte[8192];
    boolean closed = false, timedOut = false;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          timedOut = true;
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          timedOut = true;
          break;
        }
        if (n < 0) {
          closed = true;
          break;
        }
        got.write(buf, 0, n);
        if (complete(got.toString(StandardCharsets.ISO_8859_1))) break;
      }
    } catch (IOException e) {
      closed = true; // reset
    }
    String text = got.toString(StandardCharsets.ISO_8859_1);
    Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(text);
    return new Answer(m.find() ? Integer.parseInt(m.group(1)) : 0, text, closed, timedOut);
  }

  /** Waits until the server closes the connection (true) or {@code ms} pass (false); discards what arrives. */
  boolean closedWithin(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    byte[] buf = new byte[8192];
    boolean first = true;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0 && !first) return false;
        first = false;
        socket.setSoTimeout((int) Math.max(1, left));
        try {
          if (in.read(buf) < 0) return true;
        } catch (SocketTimeoutException e) {
          return false;
        }
      }
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Reads the server's next WebSocket frame other than a ping: the frame's bytes (header and payload), an empty array
   * when the connection closed first, null when nothing came within {@code ms}.
   */
  byte[] readFrame(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    try {
      while (true) {
        int b0 = readByte(deadline);
        if (b0 == -2) return null;
        if (b0 < 0) return new byte[0];
        int b1 = readByte(deadline);
        if (b1 < 0) return b1 == -2 ? null : new byte[0];
        long len = b1 & 0x7f;
        int extra = len == 126 ? 2 : len == 127 ? 8 : 0;
        if (extra > 0) {
          len = 0;
          for (int i = 0; i < extra; i++) {
            int x = readByte(deadline);
            if (x < 0) return x == -2 ? null : new byte[0];
            len = (len << 8) | x;
          }
        }
        if ((b1 & 0x80) != 0) len += 4; // a masked frame from a server would be a bug, read it anyway
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        frame.write(b0);
        frame.write(b1);
        for (long i = 0; i < len; i++) {
          int x = readByte(deadline);
          if (x < 0) return x == -2 ? null : new byte[0];
          frame.write(x);
        }
        if ((b0 & 0x0f) != 0x9) return frame.toByteArray();
      }
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** One byte, -1 at the end of the stream, -2 when the deadline passed. */
  private int readByte(long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000L;
    if (left <= 0) return -2;
    socket.setSoTimeout((int) Math.max(1, left));
    try {
      return in.read();
    } catch (SocketTimeoutException e) {
      return -2;
    }
  }

  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) return false;
    Matcher cl = Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)").matcher(text.substring(0, end));
    if (text.startsWith("HTTP/1.1 101")) return true;
    if (!cl.find()) return false; // read to close
    return text.length() - end - 4 >= Integer.parseInt(cl.group(1));
  }

  @Override public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
