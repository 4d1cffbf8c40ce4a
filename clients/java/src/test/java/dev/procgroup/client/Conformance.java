package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shared conformance cases (clients/conformance/cases), also run by the sidecar's and the Node client's tests. */
final class Conformance {
    /** Maven runs tests in the module's directory. */
    static final Path DIR = Path.of(System.getProperty("procgroup.conformance", "../conformance"));

    private Conformance() {}

    static JsonNode cases(String name) {
        return read(DIR.resolve("cases").resolve(name + ".json"));
    }

    static JsonNode rules() {
        return read(DIR.resolve("rules.json"));
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("the conformance cases are missing: " + DIR.toAbsolutePath(), e);
        }
    }
}
