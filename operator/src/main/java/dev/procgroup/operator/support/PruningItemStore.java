package dev.procgroup.operator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer's store that keeps each object in its {@link CachedForm}. One store per informer: JOSDK hands the
 * same store to the informer of every watched namespace, and an informer's relist drops the keys it did not
 * list, other namespaces' included; so it is used only when one informer watches (all namespaces, or one).
 */
public final class PruningItemStore<T extends HasMetadata> implements ItemStore<T> {
  private final BasicItemStore<T> items = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final UnaryOperator<T> form;

  public PruningItemStore(UnaryOperator<T> form) {
    this.form = form;
  }

  @Override public String getKey(T obj) { return items.getKey(obj); }
  @Override public T put(String key, T obj) { return items.put(key, form.apply(obj)); }
  @Override public T remove(String key) { return items.remove(key); }
  @Override public Stream<String> keySet() { return items.keySet(); }
  @Override public Stream<T> values() { return items.values(); }
  @Override public int size() { return items.size(); }
  @Override public T get(String key) { return items.get(key); }
}
