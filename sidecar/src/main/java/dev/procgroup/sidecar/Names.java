package dev.procgroup.sidecar;

import java.util.regex.Pattern;

/** The name rules of PROTOCOL.md for objects, methods and events. */
public final class Names {
  private static final Pattern OBJECT = Pattern.compile("^[A-Za-z_$][A-Za-z0-9_$.-]{0,127}$");
  private static final Pattern METHOD = Pattern.compile("^[A-Za-z_$][A-Za-z0-9_$]{0,127}$");
  /** Events follow the object rule: dotted names like {@code cache.flush}. */
  private static final Pattern EVENT = OBJECT;

  private Names() {}

  public static boolean validObject(String s) { return s != null && OBJECT.matcher(s).matches(); }
  public static boolean validMethod(String s) { return s != null && METHOD.matcher(s).matches(); }
  public static boolean validEvent(String s) { return s != null && EVENT.matcher(s).matches(); }

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
