package dev.procgroup.operator.api;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command (kubectl, promtool) with a deadline that fires: its output goes to a file that is
 * read after it ended, so a command that hangs with its pipe open cannot hold the test past the deadline.
 */
final class BoundedProcess {
  record Result(int exitCode, String out) {}

  private BoundedProcess() {}

  static Result run(Duration timeout, String stdin, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("procgroup-test-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      if (stdin == null) pb.redirectInput(new File("/dev/null"));
      Process p = pb.start();
      if (stdin != null) {
        try (var in = p.getOutputStream()) { in.write(stdin.getBytes(StandardCharsets.UTF_8)); }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command) + "\n" + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
