var loops = nodeState.get('loops') || 0;
nodeState.putShared('loops', loops + 1);
action.goTo('again');
