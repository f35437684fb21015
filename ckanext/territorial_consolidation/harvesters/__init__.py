"""Partner-portal harvesters (ckanext-harvest IHarvester plugins), one module per kind of portal."""
