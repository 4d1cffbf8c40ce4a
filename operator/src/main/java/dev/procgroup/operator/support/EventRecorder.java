package dev.procgroup.operator.support;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a ProcessGroup, what `kubectl describe pg` shows. A failed event never fails a reconcile. */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  public static final String COMPONENT = "procgroup-operator";

  private final KubernetesClient client;
  private final String instance;

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(ProcessGroup pg, String reason, String message) { record(pg, "Normal", reason, message); }

  public void warning(ProcessGroup pg, String reason, String message) { record(pg, "Warning", reason, message); }

  private void record(ProcessGroup pg, String type, String reason, String message) {
    Instant now = Instant.now();
    String ns = pg.getMetadata().getNamespace();
    try {
      client.v1().events().inNamespace(ns).resource(new EventBuilder()
          .withNewMetadata()
            .withName(pg.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
            .withNamespace(ns)
          .endMetadata()
          .withNewInvolvedObject()
            .withApiVersion(ProcessGroup.GROUP + "/" + ProcessGroup.VERSION).withKind("ProcessGroup")
            .withName(pg.getMetadata().getName()).withNamespace(ns).withUid(pg.getMetadata().getUid())
            .withResourceVersion(pg.getMetadata().getResourceVersion())
          .endInvolvedObject()
          .withType(type).withReason(reason).withMessage(truncate(message))
          .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
          .withEventTime(new MicroTime(MICRO.format(now)))
          .withAction(reason)
          .withReportingComponent(COMPONENT).withReportingInstance(instance)
          .withNewSource().withComponent(COMPONENT).endSource()
          .build()).create();
      LOG.info("event {} {} on {}/{}: {}", type, reason, ns, pg.getMetadata().getName(), message);
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on {}/{}: {}", reason, ns, pg.getMetadata().getName(), e.getMessage());
    }
  }

  private static String truncate(String m) {
    return m == null || m.length() <= 1000 ? m : m.substring(0, 997) + "...";
  }
}
