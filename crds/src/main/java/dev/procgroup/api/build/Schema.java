package dev.procgroup.api.build;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A node of the generated OpenAPI schema, with the few edits CrdFinisher makes to it. */
final class Schema {
  final JSONSchemaProps props;

  private Schema(JSONSchemaProps props) {
    this.props = Objects.requireNonNull(props);
  }

  static Schema of(JSONSchemaProps props) {
    return new Schema(props);
  }

  /** The schema at a dotted path of property names; {@code []} steps into an array's items: "processes[].ports[]". */
  Schema at(String path) {
    JSONSchemaProps p = props;
    for (String step : path.split("\\.")) {
      boolean items = step.endsWith("[]");
      String name = items ? step.substring(0, step.length() - 2) : step;
      p = Objects.requireNonNull(p.getProperties().get(name), () -> "no property " + name + " in " + path);
      if (items) p = p.getItems().getSchema();
    }
    return new Schema(p);
  }

  /** The schema of an array's items. */
  Schema items() {
    return new Schema(props.getItems().getSchema());
  }

  /** The schema of a map's values. */
  Schema values() {
    return new Schema(props.getAdditionalProperties().getSchema());
  }

  Schema min(long min) {
    props.setMinimum((double) min);
    return this;
  }

  Schema range(long min, long max) {
    props.setMinimum((double) min);
    props.setMaximum((double) max);
    return this;
  }

  Schema length(long min, long max) {
    if (min > 0) props.setMinLength(min);
    props.setMaxLength(max);
    return this;
  }

  Schema pattern(String regex) {
    props.setPattern(regex);
    return this;
  }

  Schema minItems(long n) {
    props.setMinItems(n);
    return this;
  }

  Schema maxItems(long n) {
    props.setMaxItems(n);
    return this;
  }

  Schema maxProperties(long n) {
    props.setMaxProperties(n);
    return this;
  }

  Schema required(String... names) {
    List<String> required = new ArrayList<>(props.getRequired() == null ? List.of() : props.getRequired());
    for (String n : names) if (!required.contains(n)) required.add(n);
    props.setRequired(required);
    return this;
  }

  /** An array keyed by these fields: the API server refuses duplicate keys and server-side apply merges by them. */
  Schema listMap(String... keys) {
    props.setXKubernetesListType("map");
    props.setXKubernetesListMapKeys(List.of(keys));
    return this;
  }

  /** An array of unique scalars. */
  Schema listSet() {
    props.setXKubernetesListType("set");
    return this;
  }

  Schema rule(String rule, String message) {
    return rule(rule, message, null, null);
  }

  Schema rule(String rule, String message, String fieldPath, String reason) {
    List<ValidationRule> rules = new ArrayList<>(props.getXKubernetesValidations() == null ? List.of()
        : props.getXKubernetesValidations());
    rules.add(new ValidationRuleBuilder().withRule(rule).withMessage(message).withFieldPath(fieldPath)
        .withReason(reason).build());
    props.setXKubernetesValidations(rules);
    return this;
  }
}
