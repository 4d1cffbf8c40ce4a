package dev.procgroup.sidecar;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The group's {@code spec.services}: which process publishes each declared object (Pandora's
 * {@code pandora.service(name).process(p).publish()}). The operator passes every published service of the group to
 * every sidecar ({@code PROCGROUP_DECLARED_SERVICES=name=process,...}), so each one can refuse its own app a declared
 * name that belongs to another process. Objects nobody declared stay free to publish (Pandora's publishObject).
 */
record DeclaredServices(Map<String, String> processByService) {

  static final DeclaredServices NONE = new DeclaredServices(Map.of());

  DeclaredServices {
    processByService = Map.copyOf(processByService);
  }

  /** {@code name=process,...}; empty or null for none. Bad entries fail the sidecar's start with a reason. */
  static DeclaredServices parse(String env) {
    if (env == null || env.isBlank()) return NONE;
    Map<String, String> out = new TreeMap<>();
    for (String entry : env.split(",")) {
      String[] kv = entry.trim().split("=", 2);
      if (kv.length != 2 || !Names.validObject(kv[0].trim()) || !Names.validProcess(kv[1].trim())) {
        throw new IllegalArgumentException("PROCGROUP_DECLARED_SERVICES: '" + Names.abbreviate(entry)
            + "' is not <object name>=<process name>");
      }
      String before = out.put(kv[0].trim(), kv[1].trim());
      if (before != null && !before.equals(kv[1].trim())) {
        throw new IllegalArgumentException("PROCGROUP_DECLARED_SERVICES: service '" + kv[0].trim()
            + "' is declared for two processes");
      }
    }
    return new DeclaredServices(out);
  }

  /** Why {@code process} may not publish {@code object}, or null when it may. */
  String refusal(String object, String process) {
    String owner = processByService.get(object);
    if (owner == null || owner.equals(process)) return null;
    return "service '" + object + "' is declared for process '" + owner + "' (spec.services); process '" + process
        + "' may not publish it";
  }

  /** The services declared for {@code process}, sorted: its sidecar is Ready only once its app publishes them all. */
  List<String> of(String process) {
    return processByService.entrySet().stream().filter(e -> e.getValue().equals(process)).map(Map.Entry::getKey)
        .sorted().toList();
  }

  String processOf(String object) {
    return processByService.get(object);
  }
}
