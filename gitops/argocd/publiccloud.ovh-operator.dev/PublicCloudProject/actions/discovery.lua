-- The approve action is offered only while a priced cart waits for approval.
local actions = {}
if obj.status ~= nil and obj.status.phase == "AwaitingApproval" and obj.status.cart ~= nil then
  actions["approve"] = { ["disabled"] = false }
end
return actions
