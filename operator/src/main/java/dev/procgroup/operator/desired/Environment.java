package dev.procgroup.operator.desired;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges environment lists by name, later lists winning, the first position kept. Duplicates must not reach
 * the Deployment: its env is a map-list keyed by name and server-side apply refuses duplicate keys.
 */
public final class Environment {
  private Environment() {}

  @SafeVarargs
  public static List<EnvVar> merge(List<EnvVar>... layers) {
    Map<String, EnvVar> byName = new LinkedHashMap<>();
    for (List<EnvVar> layer : layers) {
      if (layer == null) continue;
      for (EnvVar e : layer) byName.put(e.getName(), e);
    }
    return new ArrayList<>(byName.values());
  }

  public static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  public static EnvVar fieldRef(String name, String fieldPath) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(fieldPath)
        .endFieldRef().endValueFrom().build();
  }

  public static EnvVar secretRef(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret)
        .withKey(key).endSecretKeyRef().endValueFrom().build();
  }
}
