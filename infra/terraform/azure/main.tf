resource "azurerm_resource_group" "broker" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

# The broker's identity: an Entra application with a client secret.
resource "azuread_application" "broker" {
  display_name = var.service_principal_name
}

resource "azuread_service_principal" "broker" {
  client_id = azuread_application.broker.client_id
}

resource "time_rotating" "secret" {
  rotation_days = var.client_secret_rotation_days
}

resource "azuread_application_password" "broker" {
  application_id = azuread_application.broker.id
  display_name   = "omnibroker"
  rotate_when_changed = {
    rotation = time_rotating.secret.id
  }
}

# Least privilege: MySQL Flexible Servers (and their databases, firewall rules, operation status) in this
# resource group only, plus joining the delegated subnet and the private DNS zone when those exist.
resource "azurerm_role_definition" "broker" {
  name        = "${var.service_principal_name}-mysql-flexible"
  scope       = azurerm_resource_group.broker.id
  description = "What omnibroker's azure backend needs to manage MySQL Flexible Servers in one resource group."
  permissions {
    actions = [
      "Microsoft.DBforMySQL/flexibleServers/*",
      "Microsoft.DBforMySQL/locations/*/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Network/virtualNetworks/subnets/join/action",
      "Microsoft.Network/virtualNetworks/subnets/read",
      "Microsoft.Network/privateDnsZones/read",
      "Microsoft.Network/privateDnsZones/join/action",
      "Microsoft.Network/privateDnsZones/A/*",
      "Microsoft.Network/privateDnsZones/virtualNetworkLinks/*",
    ]
    not_actions = []
  }
  assignable_scopes = [azurerm_resource_group.broker.id]
}

resource "azurerm_role_assignment" "broker" {
  scope              = azurerm_resource_group.broker.id
  role_definition_id = azurerm_role_definition.broker.role_definition_resource_id
  principal_id       = azuread_service_principal.broker.object_id
}

data "azuread_client_config" "current" {}
