package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Pandora's entry/argv/args as a container command line: {@code entry[0] argv... entry[1..] args...}, so
 * {@code entry: [node, server.js], argv: [--max-old-space-size=512], args: [--port, 5511]} runs
 * {@code node --max-old-space-size=512 server.js --port 5511}. Without entry the image's entrypoint runs with args.
 */
public record CommandLine(List<String> command, List<String> args) {

  public static CommandLine of(ProcessSpec p) {
    List<String> entry = orEmpty(p.getEntry());
    List<String> args = orEmpty(p.getArgs());
    if (entry.isEmpty()) {
      return new CommandLine(null, args.isEmpty() ? null : List.copyOf(args));
    }
    List<String> command = new ArrayList<>();
    command.add(entry.get(0));
    command.addAll(orEmpty(p.getArgv()));
    command.addAll(entry.subList(1, entry.size()));
    return new CommandLine(List.copyOf(command), args.isEmpty() ? null : List.copyOf(args));
  }

  private static List<String> orEmpty(List<String> l) {
    return l == null ? List.of() : l;
  }
}
