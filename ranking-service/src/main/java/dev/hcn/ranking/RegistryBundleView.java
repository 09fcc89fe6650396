package dev.hcn.ranking;

import dev.hcn.history.ServingBundleView;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import java.util.Optional;
import java.util.OptionalInt;
import org.springframework.stereotype.Component;

/** History's view of the serving bundle, read from the model registry on every call. */
@Component
class RegistryBundleView implements ServingBundleView {

  private final ModelRegistry registry;

  RegistryBundleView(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  public OptionalInt historyLength() {
    return registry
        .current()
        .map(b -> OptionalInt.of(b.longLength() + b.shortLength()))
        .orElse(OptionalInt.empty());
  }

  @Override
  public Optional<DemoHistories> demoHistories() {
    return registry.current().map(RegistryBundleView::demoHistoriesOf);
  }

  private static DemoHistories demoHistoriesOf(ModelBundle bundle) {
    return new DemoHistories(bundle, bundle.demoHistories());
  }
}
