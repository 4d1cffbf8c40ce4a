package dev.procgroup.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Dynamic proxies of an interface over an {@link ObjectConsumer}: methods returning {@link CompletableFuture} /
 * {@link CompletionStage} are asynchronous, others block and throw {@link HubException}; default methods run
 * locally. With an introspection, every abstract method of the interface must be published.
 */
final class Proxies {

    private Proxies() {}

    static <T> T create(ObjectConsumer consumer, Class<T> iface, Introspection introspection) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface + " is not an interface");
        }
        if (introspection != null) {
            List<String> missing = Arrays.stream(iface.getMethods()).filter(m -> Modifier.isAbstract(m.getModifiers()))
                    .map(Method::getName).filter(n -> !introspection.methods().contains(n)).distinct().sorted().toList();
            if (!missing.isEmpty()) {
                throw HubException.hub("MethodNotFound", consumer.target() + " does not publish " + missing
                        + " of " + iface.getName() + " (it publishes " + introspection.methods() + ")", null);
            }
        }
        var mapper = consumer.hubMapper();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "HubProxy[" + consumer.target() + "]";
                };
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            CompletableFuture<JsonNode> call = consumer.invokeAsync(method.getName(), args == null ? new Object[0] : args);
            Class<?> raw = method.getReturnType();
            if (raw == CompletableFuture.class || raw == CompletionStage.class || raw == Future.class) {
                JavaType type = mapper.getTypeFactory().constructType(typeArgument(method.getGenericReturnType()));
                return call.thenApply(node -> mapper.convertValue(node, type));
            }
            JsonNode result = Transport.join(call);
            return raw == void.class ? null
                    : mapper.convertValue(result, mapper.getTypeFactory().constructType(method.getGenericReturnType()));
        };
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
    }

    private static Type typeArgument(Type futureType) {
        return futureType instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
    }
}
