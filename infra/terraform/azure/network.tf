# Optional private networking: servers created with delegatedSubnetResourceId get no public endpoint.
resource "azurerm_virtual_network" "mysql" {
  count               = var.enable_private_network ? 1 : 0
  name                = "vnet-omnibroker-mysql"
  location            = azurerm_resource_group.broker.location
  resource_group_name = azurerm_resource_group.broker.name
  address_space       = [var.vnet_address_space]
  tags                = var.tags
}

resource "azurerm_subnet" "mysql" {
  count                = var.enable_private_network ? 1 : 0
  name                 = "snet-mysql-flexible"
  resource_group_name  = azurerm_resource_group.broker.name
  virtual_network_name = azurerm_virtual_network.mysql[0].name
  address_prefixes     = [var.mysql_subnet_prefix]
  service_endpoints    = ["Microsoft.Storage"]

  delegation {
    name = "mysql-flexible"
    service_delegation {
      name    = "Microsoft.DBforMySQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_private_dns_zone" "mysql" {
  count               = var.enable_private_network ? 1 : 0
  name                = "omnibroker.mysql.database.azure.com"
  resource_group_name = azurerm_resource_group.broker.name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "mysql" {
  for_each              = var.enable_private_network ? toset(concat([azurerm_virtual_network.mysql[0].id], var.linked_vnet_ids)) : toset([])
  name                  = "link-${substr(sha1(each.value), 0, 12)}"
  resource_group_name   = azurerm_resource_group.broker.name
  private_dns_zone_name = azurerm_private_dns_zone.mysql[0].name
  virtual_network_id    = each.value
  registration_enabled  = false
  tags                  = var.tags
}
