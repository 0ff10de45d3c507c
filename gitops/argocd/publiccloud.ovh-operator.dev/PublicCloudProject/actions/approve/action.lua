-- Approves the priced cart the person was shown, and only that one: the action's parameters carry
-- the cart id and price the discovery showed (Argo CD versions with action parameters fill them
-- in), and the resource must still wait on that cart at that price. The annotation names the cart
-- id, so the approval never applies to a cart made later (e.g. after a spec change). Like
-- `kubectl pcp approve NAME --cart ID`; without the cart parameter (the argocd CLI, an Argo CD
-- without action parameters) nothing is approved.
local status = obj.status
local name = obj.metadata.name
if status == nil or status.phase ~= "AwaitingApproval" then
  local phase = "no phase yet"
  if status ~= nil and status.phase ~= nil then
    phase = status.phase
  end
  error(name .. " is in " .. phase .. ", not AwaitingApproval: there is no priced cart to approve", 0)
end
if status.cart == nil or status.price == nil then
  error(name .. " waits for approval but its status shows no cart or price; run again in a moment", 0)
end
if obj.metadata.generation ~= nil and
    (status.observedGeneration == nil or status.observedGeneration < obj.metadata.generation) then
  error("the spec of " .. name .. " changed after cart " .. status.cart.id ..
    " was priced: the operator makes a new cart, which needs its own approval; nothing was approved", 0)
end
local shown = nil
local price = nil
if actionParams ~= nil then
  shown = actionParams["cart"]
  price = actionParams["price"]
end
local now = status.price.withTax .. " " .. status.price.currency
if shown == nil or shown == "" then
  error("approve needs the cart you reviewed (parameter cart, filled in with the cart shown); " ..
    "without it, run: kubectl pcp approve " .. name .. " --cart " .. status.cart.id, 0)
end
if shown ~= status.cart.id then
  error("the cart changed: " .. name .. " now waits on cart " .. status.cart.id .. " at " .. now ..
    " (you reviewed " .. shown .. "); nothing was approved: look at it again", 0)
end
if price ~= nil and price ~= "" and price ~= now then
  error("the price of cart " .. shown .. " is now " .. now .. " (you reviewed " .. price ..
    "); nothing was approved: look at it again", 0)
end
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["publiccloud.ovh-operator.dev/approve"] = status.cart.id
-- Who approves is stamped at admission (the chart's policies); a name left by an earlier approval
-- goes, so that it is never taken for this one's.
obj.metadata.annotations["publiccloud.ovh-operator.dev/approved-by"] = nil
return obj
