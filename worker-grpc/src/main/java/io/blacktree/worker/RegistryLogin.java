package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;

/**
 * How the worker gets push credentials for a job: ECR ({@link EcrLogin}), static user/password
 * ({@link StaticLogin}) or none ({@link NoLogin}), chosen by config. Implementations tell the job's
 * redactor every secret they obtain before returning it.
 */
public interface RegistryLogin {
  /**
   * Credentials and registry for pushing {@code repository} in {@code account}/{@code region}.
   *
   * @throws JobFailure REGISTRY_AUTH_DENIED or REGISTRY_UNAVAILABLE
   */
  RegistryAuth login(String account, String region, String repository, SecretRedactor redactor) throws JobFailure;
}
