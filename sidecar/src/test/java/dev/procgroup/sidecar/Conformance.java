package dev.procgroup.sidecar;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared conformance cases (clients/conformance/cases), also run by the Node and Java clients' tests. */
final class Conformance {
  /** Maven runs tests in the module's directory. */
  static final Path DIR = Path.of(System.getProperty("procgroup.conformance", "../clients/conformance"));

  private Conformance() {}

  static JsonObject cases(String name) {
    try {
      return new JsonObject(Files.readString(DIR.resolve("cases").resolve(name + ".json")));
    } catch (IOException e) {
      throw new UncheckedIOException("the conformance cases are missing: " + DIR.toAbsolutePath(), e);
    }
  }
}
