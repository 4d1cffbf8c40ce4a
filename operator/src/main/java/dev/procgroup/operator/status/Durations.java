package dev.procgroup.operator.status;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as the CRD accepts them: 90s, 10m, 1h30m. */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");

  private Durations() {}

  public static Duration parse(String text, Duration fallback) {
    if (text == null || text.isBlank()) return fallback;
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) throw new IllegalArgumentException("not a duration like 90s, 10m or 1h30m: " + text);
    try {
      return Duration.ofHours(part(m, 1)).plusMinutes(part(m, 2)).plusSeconds(part(m, 3));
    } catch (ArithmeticException e) { // Long.parseLong's NumberFormatException is an IllegalArgumentException
      throw new IllegalArgumentException("too long a duration: " + text, e);
    }
  }

  private static long part(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }
}
