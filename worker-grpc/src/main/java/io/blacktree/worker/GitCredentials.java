package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The git token the worker clones with, read once at start from a file ({@code gitTokenFile}) or the
 * environment ({@code BLACKTREE_GIT_TOKEN}), and handed to JGit as a credentials provider (user
 * {@code x-access-token}, as GitHub expects), never put in a URL. Absent: anonymous clones.
 */
public final class GitCredentials {
  public static final String ENV_TOKEN = "BLACKTREE_GIT_TOKEN";
  private static final String USER = "x-access-token";
  private final String token;

  private GitCredentials(String token) {
    this.token = token == null || token.isBlank() ? null : token.strip();
  }

  /** From {@code file} when given, else from {@code env}'s {@value #ENV_TOKEN}. */
  public static GitCredentials load(Path file, Map<String, String> env) throws IOException {
    if (file != null) {
      return new GitCredentials(Files.readString(file, StandardCharsets.UTF_8));
    }
    return new GitCredentials(env.get(ENV_TOKEN));
  }

  /** Tells {@code redactor} the token. */
  void register(SecretRedactor redactor) {
    if (token != null) {
      redactor.addSecret(token);
    }
  }

  /** JGit's provider, or null for anonymous access. */
  CredentialsProvider provider() {
    return token == null ? null : new UsernamePasswordCredentialsProvider(USER, token);
  }

  @Override
  public String toString() {
    return token == null ? "GitCredentials[none]" : "GitCredentials[token ****]";
  }
}
