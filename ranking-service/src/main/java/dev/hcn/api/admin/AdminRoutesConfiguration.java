package dev.hcn.api.admin;

import dev.hcn.ranking.ModelActivator;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin routes, in whichever context serves the management port: the main one when {@code
 * management.server.port} equals {@code server.port}, else the management child context (see {@link
 * AdminChildContextConfiguration}). Listed in {@code
 * META-INF/spring/...ManagementContextConfiguration.imports} and kept out of component scanning.
 *
 * <p>Without a token ({@link AdminProperties#enabled()}) no route matches, so every admin path is
 * 404 as if the API did not exist. This is decided per request from the bound properties rather
 * than by a bean condition, because a Spring AOT build fixes bean conditions when it is built
 * ({@code dev.hcn.aot.AotChoices}), and the token is a deployment secret that one build must serve
 * with or without.
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
class AdminRoutesConfiguration {

  static final String MODEL = "/admin/model";

  @Bean
  RouterFunction<ServerResponse> adminRoutes(
      ModelActivator activator, AdminProperties properties, JsonMapper json) {
    AdminHandler handler = new AdminHandler(activator, properties, json);
    return RouterFunctions.route()
        .nest(
            request -> properties.enabled(),
            routes ->
                routes
                    .GET(MODEL, handler::show)
                    .POST(MODEL, handler::swap)
                    .POST(MODEL + "/rollback", handler::rollback))
        .build();
  }
}
