"""Role play (python -m sim.play): a student plays the Iraqi prime minister (F5, F10, F13),
Washington (F17, F20, F22) or Tehran (F12, F16) against the model, a month per turn.

- `game`: the game and the rule by which a month's choice is imposed on the model.
- `screen`: what the player reads each turn and at the end.
- `compare`: where the played outcome sits in the model's own distribution, same world.
"""
