package dev.procgroup.sidecar;

import java.util.regex.Pattern;

/** The name rules of PROTOCOL.md for objects, methods, events, processes and pods ({@link Rules}). */
public final class Names {
  private static final Pattern OBJECT = Rules.name("object");
  private static final Pattern METHOD = Rules.name("method");
  /** Events follow the object rule: dotted names like {@code cache.flush}. */
  private static final Pattern EVENT = Rules.name("event");
  /** Process names are container names: DNS-1123 labels. */
  static final Pattern PROCESS = Rules.name("process");
  /** Pod names are DNS-1123 subdomains. */
  static final Pattern POD = Rules.name("pod");

  private Names() {}

  public static boolean validObject(String s) { return s != null && OBJECT.matcher(s).matches(); }
  public static boolean validMethod(String s) { return s != null && METHOD.matcher(s).matches(); }
  public static boolean validEvent(String s) { return s != null && EVENT.matcher(s).matches(); }
  public static boolean validProcess(String s) { return s != null && PROCESS.matcher(s).matches(); }
  public static boolean validPod(String s) { return s != null && POD.matcher(s).matches(); }

  public static String requireObject(String s) {
    if (!validObject(s)) throw HubError.badRequest("bad object name: " + abbreviate(s));
    return s;
  }

  public static String requireMethod(String s) {
    if (!validMethod(s)) throw HubError.badRequest("bad method name: " + abbreviate(s));
    return s;
  }

  public static String requireEvent(String s) {
    if (!validEvent(s)) throw HubError.badRequest("bad event name: " + abbreviate(s));
    return s;
  }

  static String abbreviate(String s) {
    if (s == null) return "null";
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
