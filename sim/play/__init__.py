"""Role play: students play the Iraqi prime minister (F5, F10, F13), Washington (F17, F20,
F22) and Tehran (F12, F16) against the model, a month per turn.

- `game`: the game of one or more players and the rule by which their choices are imposed
  on the model (which never moves a player's actor).
- `screen`: what players read each turn and at the end, role briefs, the Markdown record.
- `compare`: where the played game sits in the model's own distribution, same world, and
  each role's debrief of its own moves.
- `rooms`: games several students play from their own browsers (join codes, groups, seats,
  turns bound to their number, the turn clock, expiring rooms, rate limits).
- `classroom`: the web server of those games (python -m sim.play.classroom).
- `debrief`: the class game's debrief (the model's advice at each decision, a fork, the
  groups against the model's distribution, memos by choice, discussion questions).
- `__main__`: the terminal game, one player or hot-seat (python -m sim.play --as pm,washington).
"""
