package dev.procgroup.sidecar;

import java.io.IOException;
import java.net.ServerSocket;

/** Free loopback ports for sidecars whose peers must know their address up front. */
final class Ports {
  private Ports() {}

  static int free() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
