package dev.procgroup.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers a test binds a moment later (a sidecar whose peers must know its address up front, a proxy re-bound after an outage). A port from {@code new
 * ServerSocket(0)} lies in the kernel's ephemeral range, where every outgoing connection takes its source port:
 * between the pick and the sidecar's bind any client can take it. So ports are picked below that range and never
 * twice per JVM (the Node tests' twin: clients/node/test/ports.js).
 */
public final class TestPorts {
  private static final int LOW = 10000;
  private static final int HIGH = ephemeralLow();
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private TestPorts() {}

  public static int free() {
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (!HANDED_OUT.add(port)) continue;
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException inUse) {
        // taken by someone else: try another
      }
    }
    throw new IllegalStateException("no free loopback port in " + LOW + "-" + HIGH);
  }

  private static int ephemeralLow() {
    try {
      int low = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
      if (low > LOW + 1000) return low;
    } catch (IOException | RuntimeException notLinux) {
      // the IANA range starts here
    }
    return 32768;
  }
}
