package dev.procgroup.client;

/** Returned by {@link Hub#subscribe}; closing it removes that handler. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
