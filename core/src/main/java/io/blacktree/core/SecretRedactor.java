package io.blacktree.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it reaches a log, a result, an exception message or workflow
 * history: the exact secret values it was told about (registry passwords, git tokens) and anything that
 * looks like one (URL userinfo, Authorization headers, AWS keys, {@code password=...}).
 */
public final class SecretRedactor {
  public static final String MASK = "****";
  private static final int MIN_SECRET_LENGTH = 4;
  /** Each pattern keeps group 1 (the part that names the secret) and masks the rest of the match. */
  private static final List<Pattern> PATTERNS = List.of(
      // scheme://user:pass@host -> scheme://****@host
      Pattern.compile("(://)[^/@\\s:]+(?::[^/@\\s]*)?(?=@)"),
      // Authorization: Basic xxx / Bearer xxx
      Pattern.compile("(?i)\\b((?:basic|bearer)\\s)[A-Za-z0-9+/=._~-]{8,}"),
      // AWS access key ids
      Pattern.compile("\\b()(?:AKIA|ASIA)[A-Z0-9]{16}\\b"),
      // key=value / key: value where the key names a secret
      Pattern.compile("(?i)((?:password|passwd|secret|token|api[_-]?key)[\"']?\\s{0,3}[=:]\\s{0,3}[\"']?)"
          + "[^\\s\"',;&]+"));
  private static final String KEEP_NAME_MASK_VALUE = "$1" + MASK;

  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  /** Adds an exact value to mask everywhere (and its base64 form, as Docker auth carries it). */
  public void addSecret(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      secrets.add(secret);
      secrets.add(java.util.Base64.getEncoder().encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
  }

  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, MASK);
    }
    for (Pattern p : PATTERNS) {
      out = p.matcher(out).replaceAll(KEEP_NAME_MASK_VALUE);
    }
    return out;
  }
}
