import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keep-alive HTTP/1.1 load generator on plain blocking sockets (the lightest fake "app").
 * Fixed rate (open loop; latency counted from each call's scheduled time, so queueing is not hidden) or
 * saturation (closed loop, one call in flight per connection).
 *
 * usage: LoadGen host port METHOD path bodyBytes(0 = none) rate(0 = saturation) connections warmupS measureS
 * prints one JSON line; "total" counts the warm-up's calls too (the calls a process's CPU time was spent on).
 */
public final class LoadGen {
  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    String method = a[2];
    String path = a[3];
    int bodyBytes = Integer.parseInt(a[4]);
    double rate = Double.parseDouble(a[5]);
    int conns = Integer.parseInt(a[6]);
    double warmup = Double.parseDouble(a[7]);
    double measure = Double.parseDouble(a[8]);

    byte[] body = new byte[0];
    if (bodyBytes > 0) {
      // ["xxxx..."]: a JSON array with one string, bodyBytes long in total.
      StringBuilder sb = new StringBuilder("[\"");
      while (sb.length() < bodyBytes - 2) sb.append('x');
      sb.append("\"]");
      body = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
        + (body.length > 0 ? "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n" : "")
        + "\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(body, 0, request, headBytes.length, body.length);

    long start = System.nanoTime() + 50_000_000L;
    long measureFrom = start + (long) (warmup * 1e9);
    long end = measureFrom + (long) (measure * 1e9);
    AtomicLong errors = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < conns; c++) {
      final int id = c;
      long[] lat = new long[rate > 0 ? (int) (rate * measure / conns) + 1000 : (int) (100_000 * measure / conns) + 1000];
      int[] n = new int[1];
      perThread.add(lat);
      counts.add(n);
      Thread t = new Thread(() -> {
        try (Socket s = new Socket()) {
          s.setTcpNoDelay(true);
          s.connect(new InetSocketAddress(host, port));
          OutputStream out = s.getOutputStream();
          InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 65536);
          byte[] buf = new byte[64 * 1024];
          long interval = rate > 0 ? (long) (1e9 * conns / rate) : 0;
          long next = start + (rate > 0 ? (long) (1e9 / rate) * id : 0);
          while (true) {
            long scheduled;
            if (rate > 0) {
              scheduled = next;
              next += interval;
              long now;
              while ((now = System.nanoTime()) < scheduled) {
                long wait = scheduled - now;
                if (wait > 200_000) LockSupport.parkNanos(wait - 100_000);
              }
            } else {
              scheduled = System.nanoTime();
            }
            if (scheduled >= end) break;
            out.write(request);
            int status = readResponse(in, buf);
            long done = System.nanoTime();
            if (status != 200) errors.incrementAndGet();
            completed.incrementAndGet();
            if (scheduled >= measureFrom && n[0] < lat.length) lat[n[0]++] = done - scheduled;
          }
        } catch (IOException e) {
          errors.incrementAndGet();
          System.err.println("connection " + id + ": " + e);
        }
      }, "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    int total = 0;
    for (int[] n : counts) total += n[0];
    long[] all = new long[total];
    int k = 0;
    for (int i = 0; i < perThread.size(); i++) {
      System.arraycopy(perThread.get(i), 0, all, k, counts.get(i)[0]);
      k += counts.get(i)[0];
    }
    Arrays.sort(all);
    System.out.printf("{\"count\":%d,\"total\":%d,\"errors\":%d,\"seconds\":%.3f,\"rps\":%.1f,\"p50Us\":%.1f,\"p90Us\":%.1f,"
            + "\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f}%n", total, completed.get(), errors.get(), measure, total / measure,
        pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), pct(all, 0.999), all.length == 0 ? 0 : all[all.length - 1] / 1e3);
  }

  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e3;
  }

  /** Reads one response (Content-Length or chunked framing); returns its status. */
  static int readResponse(InputStream in, byte[] buf) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream(256);
    int last4 = 0;
    while (last4 != 0x0d0a0d0a) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed");
      header.write(b);
      last4 = (last4 << 8) | b;
    }
    String h = header.toString(StandardCharsets.US_ASCII);
    int status = Integer.parseInt(h.substring(9, 12));
    int length = 0;
    boolean chunked = false;
    for (String line : h.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(line.substring(15).trim());
      if (line.regionMatches(true, 0, "transfer-encoding:", 0, 18) && line.toLowerCase().contains("chunked")) {
        chunked = true;
      }
    }
    if (!chunked) {
      skip(in, buf, length);
      return status;
    }
    // Go's net/http (daprd) may frame an answer in chunks: size line, data, CRLF; a 0-size chunk ends it.
    while (true) {
      int size = Integer.parseInt(readLine(in).split(";", 2)[0].trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) { } // trailers, then the empty line
        return status;
      }
      skip(in, buf, size + 2);
    }
  }

  static void skip(InputStream in, byte[] buf, int length) throws IOException {
    while (length > 0) {
      int r = in.read(buf, 0, Math.min(buf.length, length));
      if (r < 0) throw new IOException("connection closed in body");
      length -= r;
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new IOException("connection closed in chunk header");
      if (b != '\r') sb.append((char) b);
    }
    return sb.toString();
  }
}
