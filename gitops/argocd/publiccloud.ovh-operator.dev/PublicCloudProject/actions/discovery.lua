-- The approve action is offered only while a priced cart waits for approval. Its parameters show
-- the cart and its price as they are now; the action approves that cart only, at that price.
local actions = {}
local status = obj.status
if status ~= nil and status.phase == "AwaitingApproval" and status.cart ~= nil and status.price ~= nil then
  actions["approve"] = {
    ["disabled"] = false,
    ["params"] = {
      { ["name"] = "cart", ["default"] = status.cart.id },
      { ["name"] = "price", ["default"] = status.price.withTax .. " " .. status.price.currency },
    },
  }
end
return actions
