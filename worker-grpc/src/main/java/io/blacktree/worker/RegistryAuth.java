package io.blacktree.worker;

import java.net.URI;
import java.util.Locale;

/**
 * Where to push and with which credentials: {@code host} is what image names start with
 * ({@code 127.0.0.1:5001}, {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}), {@code baseUri} the
 * registry API's scheme and authority; {@code username}/{@code password} are null for an open registry.
 * {@link #toString()} never shows the password.
 */
public record RegistryAuth(String host, URI baseUri, String username, String password) {

  /**
   * Parses {@code 127.0.0.1:5000}, {@code http://127.0.0.1:5000} or {@code https://host}: without a scheme,
   * loopback hosts are plain HTTP (as Docker treats them), all others HTTPS.
   */
  public static RegistryAuth of(String registryUrl, String username, String password) {
    String url = registryUrl.strip();
    if (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    URI uri;
    if (url.contains("://")) {
      uri = URI.create(url);
    } else {
      String hostOnly = url.split(":")[0].toLowerCase(Locale.ROOT);
      boolean loopback = hostOnly.equals("localhost") || hostOnly.startsWith("127.") || hostOnly.equals("[::1]");
      uri = URI.create((loopback ? "http://" : "https://") + url);
    }
    return new RegistryAuth(uri.getRawAuthority(), URI.create(uri.getScheme() + "://" + uri.getRawAuthority()),
        username, password);
  }

  public boolean hasCredentials() {
    return username != null && password != null;
  }

  @Override
  public String toString() {
    return "RegistryAuth[" + host + (hasCredentials() ? ", user " + username + ", password ****" : "") + "]";
  }
}
