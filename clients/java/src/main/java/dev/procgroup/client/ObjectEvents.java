package dev.procgroup.client;

import java.util.concurrent.CompletableFuture;

/**
 * Pandora's object-event contract for a published object: consumers' {@code subscribe(register, fn)} ends here
 * once per register, and every {@code callback.emit(params...)} reaches their {@code fn} in every pod. The hub
 * calls {@code unsubscribe} with the same callback when the last consumer of that register leaves.
 */
public interface ObjectEvents {

    /** Sends an object event to every consumer subscribed to its register; completes with how many were reached. */
    @FunctionalInterface
    interface Callback {
        CompletableFuture<Integer> emit(Object... params);
    }

    void subscribe(String register, Callback callback) throws Exception;

    void unsubscribe(String register, Callback callback) throws Exception;
}
