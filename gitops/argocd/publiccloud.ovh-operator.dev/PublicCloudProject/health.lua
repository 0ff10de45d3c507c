-- Argo CD health of a PublicCloudProject. Loaded from argocd-cm, so it may use only Lua's base
-- and table libraries (and a safe os): no string library.
local hs = { status = "Progressing", message = "Waiting for the operator" }
if obj.status == nil then
  return hs
end
local status = obj.status

local function condition(kind)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

-- The operator has not yet seen the latest spec: whatever the status says is about an older one.
if obj.metadata.generation ~= nil and
    (status.observedGeneration == nil or status.observedGeneration < obj.metadata.generation) then
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

local ready = condition("Ready")
local stalled = condition("Stalled")
if ready ~= nil then
  hs.message = ready.message
end

-- Stalled: a failure, a refusal (credentials, OVH), or something a person must check.
if status.phase == "Failed" or status.phase == "NeedsAttention" or
    (stalled ~= nil and stalled.status == "True") then
  hs.status = "Degraded"
  if stalled ~= nil and stalled.status == "True" then
    hs.message = stalled.message
  end
  return hs
end

-- A person must act: approve the priced cart, or pay the order.
if status.phase == "AwaitingApproval" or status.phase == "AwaitingPayment" then
  hs.status = "Suspended"
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  return hs
end
return hs
