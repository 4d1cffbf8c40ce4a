package dev.procgroup.client;

/** This process's identity in its group, from the sidecar's {@code GET /v1/context} (env where missing). */
public record HubContext(String group, String process, String namespace, String pod, String podIP) {}
