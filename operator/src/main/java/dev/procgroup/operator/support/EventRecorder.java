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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a ProcessGroup, what `kubectl describe pg` shows. A failed event never fails a reconcile,
 * and none waits for one: events are written by two writer threads of their own, each carrying the time it was
 * recorded (at 1000 groups the reconciler threads spent a round trip per event, about eight per group, before the
 * next order could start). When the API server falls so far behind that {@link #QUEUE} events wait, new ones are
 * dropped and logged.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  public static final String COMPONENT = "procgroup-operator";

  static final int QUEUE = 10_000;

  private final KubernetesClient client;
  private final String instance;
  private final ThreadPoolExecutor writer = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(QUEUE), r -> {
        Thread t = new Thread(r, "event-writer");
        t.setDaemon(true);
        return t;
      }, (task, pool) -> {
        if (!pool.isShutdown()) LOG.warn("{} events waiting to be written; dropping one", QUEUE);
      });

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(ProcessGroup pg, String reason, String message) { record(pg, "Normal", reason, message); }

  public void warning(ProcessGroup pg, String reason, String message) { record(pg, "Warning", reason, message); }

  private void record(ProcessGroup pg, String type, String reason, String message) {
    Instant now = Instant.now();
    String ns = pg.getMetadata().getNamespace();
    var event = new EventBuilder()
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
          .build();
    LOG.info("event {} {} on {}/{}: {}", type, reason, ns, pg.getMetadata().getName(), message);
    writer.execute(() -> {
      try {
        client.v1().events().inNamespace(ns).resource(event).create();
      } catch (KubernetesClientException e) {
        LOG.warn("could not record event {} on {}/{}: {}", reason, ns, pg.getMetadata().getName(), e.getMessage());
      }
    });
  }

  /** Writes what is queued (for a few seconds at most), then stops. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String truncate(String m) {
    return m == null || m.length() <= 1000 ? m : m.substring(0, 997) + "...";
  }
}
